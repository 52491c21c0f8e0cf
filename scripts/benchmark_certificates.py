"""Time one certificate render against a minimal WeasyPrint document, in the same process and run.

Usage: .venv/bin/python scripts/benchmark_certificates.py [rounds]
Prints a Markdown section for docs/benchmarks.md (scripts/benchmark.sh includes it)."""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from weasyprint import HTML  # noqa: E402

from certificates.pdf import render_certificate_pdf, sample_certificate  # noqa: E402


def timed(function, rounds):
    function()  # warm: fonts, caches
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    sample = sample_certificate()
    minimal = timed(lambda: HTML(string="<p>Certificate</p>").write_pdf(), rounds)
    certificate = timed(lambda: render_certificate_pdf(sample), rounds)
    ratio = certificate / minimal
    print("## Certificate PDF render\n")
    print(
        f"Median of {rounds} renders each, in one process, after one warm-up render "
        "(`.venv/bin/python scripts/benchmark_certificates.py`).\n"
    )
    print("| document | median ms | ratio to the minimal document | goal |")
    print("|---|---:|---:|---|")
    print(f"| minimal WeasyPrint document (one line) | {minimal:.1f} | 1.00 | baseline |")
    verdict = "met" if ratio <= 1.5 else "**missed**"
    print(
        f"| certificate (A4 landscape, tagged PDF/A-3a, QR code) | {certificate:.1f} | {ratio:.2f} "
        f"| at most 1.5: {verdict} |"
    )


if __name__ == "__main__":
    main()

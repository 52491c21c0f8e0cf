"""Reading a certificate PDF back as a person's tools would: the QR code as zbarimg decodes it."""

import subprocess


def decoded_qr(pdf, tmp_path, dpi=150):
    """What zbarimg reads from the QR code of ``pdf`` (bytes), rendered by pdftoppm at ``dpi``."""
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-singlefile",
            str(tmp_path / "certificate.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()

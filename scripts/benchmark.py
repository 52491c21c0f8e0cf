"""Python half of scripts/benchmark.sh: data, session, query counts and the report.

Not meant to be run by hand; scripts/benchmark.sh calls it with the environment it sets up (a
throwaway SQLite DATABASE_URL, a generated SECRET_KEY, DJANGO_SETTINGS_MODULE per step).

    benchmark.py learner-progress PAGES_ENV   demo learner: lessons 1-2 done, lesson 3 opened
    benchmark.py volume N                     N extra learners enrolled, with lesson progress
    benchmark.py certificate PAGES_ENV        a learner with a certificate whose PDF is stored;
                                              adds its download URL to PAGES_ENV
    benchmark.py session [EMAIL]              print a session key for the demo learner (or EMAIL)
    benchmark.py queries PAGES_ENV OUT LABEL  count the SQL queries of each measured page
    benchmark.py measure DIR NAME URL PID [HEADER]  wait for a quiet machine, run wrk (warm-up,
                                              then measured), note other processes' CPU use
    benchmark.py report RESULTS_DIR OUT       write docs/benchmarks.md from wrk's output
"""

import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_LEARNER = "learner@example.com"
BENCH_EMAIL = "bench-learner-{:05d}@example.com"
CERTIFICATE_LEARNER = "bench-certificate@example.com"  # not the demo learner: her pages stay as they are
LESSON_GOAL = 0.15  # the lesson page's throughput, as a share of the trivial view's


def setup_django():
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    import django

    django.setup()


def demo_module():
    from cms.demo import content
    from courses.models import ModulePage

    return ModulePage.objects.get(slug=content.MODULE["slug"])


def read_env_file(path):
    values = {}
    for line in Path(path).read_text().splitlines():
        key, _, value = line.partition("=")
        values[key] = shlex.split(value)[0] if value else ""
    return values


# --- data -------------------------------------------------------------------------------------


def learner_progress(pages_env):
    """The demo learner finishes lessons 1 and 2 and passes lesson 3's content note, through the
    app's own services, so lesson 3 renders its full body with progress. Writes the URLs."""
    setup_django()
    from django.contrib.auth import get_user_model

    from courses import services
    from courses.models import Enrolment

    module = demo_module()
    lessons = module.lessons
    learner = get_user_model().objects.get(email=DEMO_LEARNER)
    enrolment = Enrolment.objects.select_related("module").get(learner=learner, module=module)
    now = datetime.now(UTC) - timedelta(days=2)
    for number, lesson in enumerate(lessons[:2]):
        opened = now + timedelta(minutes=20 * number)
        if lesson.sensitive:
            services.acknowledge_content_note(enrolment, lesson, now=opened)
        else:
            services.open_lesson(enrolment, lesson, now=opened)
        services.complete_lesson(enrolment, lesson, now=opened + timedelta(minutes=12))
    lesson = lessons[2]
    if lesson.sensitive:
        services.acknowledge_content_note(enrolment, lesson, now=now + timedelta(minutes=45))
    else:
        services.open_lesson(enrolment, lesson, now=now + timedelta(minutes=45))
    pages = {
        "HOME_URL": module.get_site().root_page.specific.url,
        "MODULE_URL": module.url,
        "MODULE_TITLE": module.title,
        "LESSON_URL": lesson.url,
        "LESSON_TITLE": lesson.title,
        "LESSON_NUMBER": "3",
        "LESSON_SENSITIVE": "yes" if lesson.sensitive else "no",
    }
    Path(pages_env).write_text("".join(f"{k}={shlex.quote(str(v))}\n" for k, v in pages.items()))
    print(
        f"Demo learner: lessons 1-2 done, lesson 3 ({lesson.title}) opened"
        f"{', content note acknowledged' if lesson.sensitive else ''}."
    )


def volume(count):
    """``count`` more learners on the demo module: every sixth one finished, the rest spread over
    the lessons, half of them with the next lesson opened. bulk_create, deterministic."""
    setup_django()
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from courses.models import Enrolment, LessonProgress

    User = get_user_model()
    module = demo_module()
    lessons = module.lessons
    start = datetime.now(UTC) - timedelta(days=60)
    unusable = make_password(None)
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    email=BENCH_EMAIL.format(i),
                    password=unusable,
                    first_name="Bench",
                    last_name=f"Learner {i}",
                    certificate_name=f"Bench Learner {i}",
                    date_joined=start,
                )
                for i in range(count)
            ],
            batch_size=500,
        )
        users = list(User.objects.filter(email__startswith="bench-learner-").order_by("email"))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
            batch_size=500,
        )
        enrolments = []
        for i, user in enumerate(users):
            done = i % (len(lessons) + 1)
            begun = start + timedelta(hours=i % 500)
            enrolments.append(
                Enrolment(
                    learner=user,
                    module=module,
                    source=Enrolment.Source.SEAT,
                    started_at=begun if done or i % 2 == 0 else None,
                    completed_at=begun + timedelta(days=3) if done == len(lessons) else None,
                )
            )
        Enrolment.objects.bulk_create(enrolments, batch_size=500)
        enrolments = list(
            Enrolment.objects.filter(module=module, learner__in=users).order_by("learner__email")
        )
        rows = []
        for i, enrolment in enumerate(enrolments):
            done = i % (len(lessons) + 1)
            begun = start + timedelta(hours=i % 500)
            for number, lesson in enumerate(lessons):
                if number > done or (number == done and i % 2):
                    break
                opened = begun + timedelta(hours=6 * number)
                rows.append(
                    LessonProgress(
                        enrolment=enrolment,
                        lesson=lesson,
                        first_opened_at=opened,
                        last_opened_at=opened + timedelta(minutes=10),
                        content_note_seen_at=opened if lesson.sensitive else None,
                        completed_at=opened + timedelta(minutes=10) if number < done else None,
                        time_spent=timedelta(minutes=5 + (i + number) % 15),
                    )
                )
        LessonProgress.objects.bulk_create(rows, batch_size=500)
    print(
        f"Volume: {len(users)} extra learners, {len(enrolments)} enrolments, {len(rows)} lesson "
        f"progress rows; now {Enrolment.objects.count()} enrolments and "
        f"{LessonProgress.objects.count()} progress rows in all."
    )


def certificate(pages_env):
    """A learner who passed the demo module through the app's services, with the certificate's
    PDF rendered and stored as the first download would; appends its download URL to PAGES_ENV."""
    setup_django()
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.urls import reverse

    from certificates.models import Certificate
    from certificates.pdf import stored_pdf
    from courses import services
    from courses.models import Enrolment

    learner = get_user_model().objects.create_user(
        email=CERTIFICATE_LEARNER, password=None, certificate_name="Bench Certificate Holder"
    )
    EmailAddress.objects.create(user=learner, email=learner.email, verified=True, primary=True)
    enrolment = services.enrol(learner, demo_module(), source=Enrolment.Source.STAFF)
    with transaction.atomic():
        services.on_module_passed(enrolment)
    issued = Certificate.objects.get(learner=learner, status=Certificate.Status.VALID)
    pdf = stored_pdf(issued)
    pages = {
        "CERTIFICATE_URL": reverse("certificates:download", args=[issued.pk]),
        "CERTIFICATE_LEARNER": CERTIFICATE_LEARNER,
        "CERTIFICATE_CODE": issued.code,
        "CERTIFICATE_BYTES": pdf.size,
    }
    with Path(pages_env).open("a") as out:
        out.write("".join(f"{k}={shlex.quote(str(v))}\n" for k, v in pages.items()))
    print(f"Certificate {issued.code} for {CERTIFICATE_LEARNER}: PDF stored ({pdf.size:,} bytes).")


# --- session and query counts -----------------------------------------------------------------


def learner_client(email=DEMO_LEARNER):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(email=email))
    return client


def session(email=DEMO_LEARNER):
    """A session for the demo learner (or ``email``), made as login would, without the login form."""
    setup_django()
    from django.conf import settings

    print(learner_client(email).cookies[settings.SESSION_COOKIE_NAME].value)


def queries(pages_env, out, label):
    """Each measured page's queries on its second request (per-process caches warm, as in a
    worker that has served before), with the settings gunicorn runs."""
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    pages = read_env_file(pages_env)
    anonymous = Client(HTTP_HOST="127.0.0.1")
    learner = learner_client()
    measured = [
        ("healthz", anonymous, "/healthz/"),
        ("home", anonymous, pages["HOME_URL"]),
        ("module", learner, pages["MODULE_URL"]),
        ("lesson", learner, pages["LESSON_URL"]),
    ]
    results = json.loads(Path(out).read_text()) if Path(out).exists() else {}
    results[label] = {}
    for name, client, url in measured:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code} to the query count, not 200.")
        kinds = {}
        for query in captured.captured_queries:
            kind = query["sql"].split(None, 1)[0].upper()
            kinds[kind] = kinds.get(kind, 0) + 1
        results[label][name] = {"count": len(captured), "kinds": kinds}
        print(f"  {label:<7} {name:<8} {len(captured):>3} queries {kinds}")
    Path(out).write_text(json.dumps(results, indent=2))


# --- measuring --------------------------------------------------------------------------------

WRK_THREADS, WRK_CONNECTIONS, WARMUP = 2, 8, "3s"
QUIET = 0.10  # other processes may use at most this share of the CPUs before a measurement


def cpu_busy_seconds():
    """Busy time of all CPUs since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_tree_seconds(root_pid):
    """CPU time of gunicorn's master and its workers."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
        except OSError:
            continue
        fields = rest.rsplit(") ", 1)[1].split()
        if int(pid) == root_pid or int(fields[1]) == root_pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def others_share(seconds=2.0, root_pid=None):
    """Share of all CPUs used by processes other than gunicorn over ``seconds``."""
    busy, ours = cpu_busy_seconds(), process_tree_seconds(root_pid) if root_pid else 0.0
    time.sleep(seconds)
    busy = cpu_busy_seconds() - busy
    ours = (process_tree_seconds(root_pid) if root_pid else 0.0) - ours
    return max(0.0, busy - ours) / (seconds * os.cpu_count())


def measure(results_dir, name, url, master_pid, *headers):
    """Warm up, then measure one URL with wrk, recording how much CPU other processes used
    meanwhile (the machine is shared: a busy neighbour lowers every figure)."""
    results_dir, master_pid = Path(results_dir), int(master_pid)
    wait = int(os.environ.get("BENCH_QUIET_WAIT", "300"))
    deadline = time.monotonic() + wait
    share = others_share(root_pid=master_pid)
    while share > QUIET and time.monotonic() < deadline:
        print(f"   other processes use {share:.0%} of the CPUs; waiting for a quieter machine")
        time.sleep(5)
        share = others_share(root_pid=master_pid)
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    args = [f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", "--latency"]
    for header in headers:
        args += ["-H", header]
    subprocess.run([wrk, *args, f"-d{WARMUP}", url], check=True, capture_output=True)  # noqa: S603
    duration = os.environ.get("BENCH_DURATION", "15s")
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy, ours, started = cpu_busy_seconds(), process_tree_seconds(master_pid), time.monotonic()
    result = subprocess.run(  # noqa: S603
        [wrk, *args, f"-d{duration}", url], check=True, capture_output=True, text=True
    )
    elapsed = time.monotonic() - started
    busy = cpu_busy_seconds() - busy
    gunicorn_cpu = process_tree_seconds(master_pid) - ours
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    other = max(0.0, busy - gunicorn_cpu - wrk_cpu) / (elapsed * os.cpu_count())
    (results_dir / f"wrk-{name}.txt").write_text(result.stdout)
    load = {
        "elapsed_s": elapsed,
        "gunicorn_cpu_s": gunicorn_cpu,
        "before": share,
        "during": other,
        "gunicorn_cpu_share": gunicorn_cpu / (elapsed * os.cpu_count()),
        "wrk_cpu_share": wrk_cpu / (elapsed * os.cpu_count()),
    }
    (results_dir / f"load-{name}.json").write_text(json.dumps(load))
    run = parse_wrk(result.stdout)
    print(
        f"   {run['rps']:,.1f} requests/s, p99 {run['p99_ms']:.1f} ms; CPUs: gunicorn "
        f"{load['gunicorn_cpu_share']:.0%}, wrk {load['wrk_cpu_share']:.0%}, other processes "
        f"{other:.0%}" + (f"; {run['non_2xx']} non-2xx" if run["non_2xx"] else "")
    )


# --- report -----------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(text):
    def number(pattern, default=None):
        match = re.search(pattern, text)
        return match.groups() if match else default

    rps = number(r"Requests/sec:\s+([\d.]+)")
    match = re.search(r"^\s*99(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.MULTILINE)
    if rps is None or match is None:
        raise ValueError("wrk's output has no Requests/sec or 99% latency line:\n" + text)
    p99 = float(match.group(1)) * UNITS[match.group(2)]
    total = number(r"(\d+) requests in ([\d.]+)(\w+)")
    non_2xx = number(r"Non-2xx or 3xx responses: (\d+)", ("0",))
    errors = number(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
    return {
        "rps": float(rps[0]),
        "p99_ms": p99,
        "requests": int(total[0]) if total else None,
        "non_2xx": int(non_2xx[0]),
        "socket_errors": dict(zip(("connect", "read", "write", "timeout"), map(int, errors), strict=True))
        if errors
        else {},
    }


def machine(wrk_version):
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    nproc = len(os.sched_getaffinity(0))  # what nproc prints
    import sqlite3

    import django
    import gunicorn
    import wagtail

    return {
        "nproc": nproc,
        "cpu": cpu,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "stack": f"Django {django.get_version()}, Wagtail {wagtail.__version__}, "
        f"gunicorn {gunicorn.__version__}, SQLite {sqlite3.sqlite_version}, {wrk_version}",
        "kernel": platform.release(),
    }


def report(results_dir, out):
    results_dir = Path(results_dir)
    pages = read_env_file(results_dir / "pages.env")
    counts = json.loads((results_dir / "queries.json").read_text())
    wrk_args = (results_dir / "wrk-args").read_text().strip()
    runs = {
        name: parse_wrk((results_dir / f"wrk-{name}.txt").read_text())
        for name in ("healthz", "home", "module", "lesson")
    }
    base = runs["healthz"]["rps"]
    info = machine((results_dir / "wrk-version").read_text().split("[")[0].strip() or "wrk")
    learners = int(os.environ.get("BENCH_LEARNERS", "1000"))
    lesson_ratio = runs["lesson"]["rps"] / base
    lesson_met = lesson_ratio >= LESSON_GOAL
    rows = [
        ("healthz", "Trivial view `/healthz/` (baseline)", "—"),
        ("home", f"Home page `{pages['HOME_URL']}`, anonymous", "—"),
        ("module", f"Module page `{pages['MODULE_URL']}`, demo learner", "—"),
        (
            "lesson",
            f"Lesson {pages['LESSON_NUMBER']} `{pages['LESSON_URL']}`, demo learner",
            f"≥ 15% of the trivial view: **{'met' if lesson_met else 'missed'}**",
        ),
    ]

    def query_cell(name):
        volume_count = counts["volume"][name]["count"]
        base_count = counts.get("base", {}).get(name, {}).get("count")
        if base_count is not None and base_count != volume_count:
            return f"{volume_count} (was {base_count} without the extra learners)"
        return str(volume_count)

    problems = [
        f"{name}: {run['non_2xx']} non-2xx/3xx responses, socket errors {run['socket_errors']}"
        for name, run in runs.items()
        if run["non_2xx"] or any(run["socket_errors"].values())
    ]
    same_counts = all(
        counts["volume"][n]["count"] == counts.get("base", {}).get(n, {}).get("count") for n in runs
    )
    lines = [
        "<!-- Generated by scripts/benchmark.sh: do not edit by hand; rerun the script. -->",
        "# Benchmarks",
        "",
        "*This file is generated by `scripts/benchmark.sh` and overwritten on every run; every "
        "figure below comes from its last run.*",
        "",
        "Throughput and tail latency of the pages a learner uses most, against a trivial view "
        "(`/healthz/`, which touches neither the database nor templates) served by the same "
        "processes, so the ratio says what the page itself costs on whatever machine runs it. "
        "Rerun with:",
        "",
        "```sh",
        "scripts/benchmark.sh",
        "```",
        "",
        "## How it runs",
        "",
        f"- A throwaway SQLite database in a temporary folder: `migrate`, `load_demo`, then the "
        f"demo learner (`{DEMO_LEARNER}`) finishes lessons 1 and 2 and opens lesson 3"
        + (" after its content note" if pages["LESSON_SENSITIVE"] == "yes" else "")
        + f", and {learners:,} more learners are enrolled on the module "
        "with lesson progress, so a query that grows with the data would show.",
        "- `gunicorn cms.wsgi` with `cms.settings.production` (`DEBUG` off, WhiteNoise manifest "
        "static files from `collectstatic` into `./staticfiles`, `SECURE_SSL_REDIRECT=false` "
        "because there is no TLS on loopback, `CACHE_URL=locmemcache://`), 2 sync workers, on "
        "127.0.0.1.",
        f"- `{wrk_args}` per page after a 3 s warm-up; the logged-in pages send the demo "
        "learner's session cookie (made without the login form). wrk runs on the same cores as "
        "gunicorn, so absolute figures are low; compare ratios.",
        "- Queries: Django's test client with `CaptureQueriesContext`, same settings and "
        "database, on a page's second request (per-process caches warm).",
        "",
        "## Machine",
        "",
        f"- CPUs (`nproc`): {info['nproc']}; model: {info['cpu']}",
        f"- {info['python']}; {info['stack']}; Linux {info['kernel']}",
        f"- Run on {info['date']}, code at {(results_dir / 'code-version').read_text().strip()}",
        "",
        "## Results",
        "",
        "| page | requests/s | p99 ms | ratio to the trivial view | queries | goal |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, label, goal in rows:
        run = runs[name]
        lines.append(
            f"| {label} | {run['rps']:,.1f} | {run['p99_ms']:.1f} | "
            f"{run['rps'] / base:.1%} | {query_cell(name)} | {goal} |"
        )
    lines += [
        "",
        f"**Lesson page goal (at least 15% of the trivial view's throughput): "
        f"{'met' if lesson_met else 'not met'}** — {lesson_ratio:.1%} "
        f"({runs['lesson']['rps']:,.1f} of {base:,.1f} requests/s). For scale, Wagtail's own "
        "default home page reaches about 7.5% of the trivial view on this machine (a reference "
        "figure, not measured by this script).",
        "",
        "No other page has a goal yet.",
        "",
    ]
    if same_counts:
        lines += [
            "Query counts are the same with and without the "
            f"{learners:,} extra learners: no page's queries grow "
            "with the number of learners.",
            "",
        ]
    loads = {n: json.loads((results_dir / f"load-{n}.json").read_text()) for n in runs}
    lines += [
        "CPU use during each measurement, as a share of all CPUs (gunicorn / wrk / every other "
        "process, kernel network time included): "
        + "; ".join(
            f"{n} {v['gunicorn_cpu_share']:.0%} / {v['wrk_cpu_share']:.0%} / {v['during']:.0%}"
            for n, v in loads.items()
        )
        + ".",
        "",
    ]
    cpu_ms = {n: 1000 * loads[n]["gunicorn_cpu_s"] / (runs[n]["rps"] * loads[n]["elapsed_s"]) for n in runs}
    lines += [
        "### CPU per request",
        "",
        "gunicorn's own CPU time (master and workers, from /proc) divided by the requests it "
        "answered. When other processes share the machine this moves less than requests/s "
        "(though not to zero: they still compete for caches and cores), so the CPU-based ratio "
        "is the steadier comparison on a shared machine.",
        "",
        "| page | gunicorn CPU ms per request | ratio to the trivial view (CPU-based) |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {label.split(' `')[0]} | {cpu_ms[name]:.2f} | {cpu_ms['healthz'] / cpu_ms[name]:.1%} |"
        for name, label, _goal in rows
    ]
    lines += [""]
    busy = [n for n, v in loads.items() if v["during"] > QUIET]
    if busy:
        lines += [
            f"**Warning: other processes used more than {QUIET:.0%} of the CPUs while "
            f"{', '.join(busy)} {'was' if len(busy) == 1 else 'were'} measured; those figures "
            "are lower than a quiet machine gives. Rerun when the machine is idle.**",
            "",
        ]
    lines += (
        ["Errors during the run: " + "; ".join(problems) + ".", ""]
        if problems
        else ["Every response during the run was 2xx or 3xx, with no socket errors.", ""]
    )
    Path(out).write_text("\n".join(lines))
    print("\n".join(lines[lines.index("## Results") :]))
    return 0


def main(argv):
    command, *args = argv
    if command == "learner-progress":
        learner_progress(*args)
    elif command == "volume":
        volume(int(args[0]))
    elif command == "certificate":
        certificate(*args)
    elif command == "session":
        session(*args)
    elif command == "queries":
        queries(*args)
    elif command == "measure":
        measure(*args)
    elif command == "report":
        return report(*args)
    else:
        sys.exit(f"Unknown command {command!r}; see the docstring of {__file__}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

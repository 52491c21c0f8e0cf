"""Python half of scripts/benchmark.sh: data, sessions, query counts, wrk runs, memory and the report.

Not meant to be run by hand; scripts/benchmark.sh calls it with the environment it sets up (a
throwaway SQLite DATABASE_URL, a generated SECRET_KEY, DJANGO_SETTINGS_MODULE per step).

    benchmark.py load-options SCALE           generate_load_data's options for SCALE ("full", the
                                              command's defaults; "small", 5% of them; or a fraction)
    benchmark.py learner-progress PAGES_ENV   demo learner: lessons 1-2 done, lesson 3 opened
    benchmark.py certificate PAGES_ENV        a learner with a certificate whose PDF is stored;
                                              adds its download URL to PAGES_ENV
    benchmark.py cookie [EMAIL]               print a Cookie header with a session for the demo
                                              learner (or EMAIL), made without the login form
    benchmark.py queries PAGES_ENV OUT LABEL  count the SQL queries of each measured page
    benchmark.py measure DIR NAME URL PID [HEADER]  wait for a quiet machine, run wrk (warm-up,
                                              then measured), note other processes' CPU use
    benchmark.py rss DIR LABEL PID            note each gunicorn worker's resident memory
    benchmark.py report RESULTS_DIR OUT       write docs/benchmarks.md from the results
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
CERTIFICATE_LEARNER = "bench-certificate@example.com"  # not the demo learner: her pages stay as they are

# generate_load_data's own defaults; BENCH_SCALE takes a share of them.
LOAD_DEFAULTS = {"providers": 100, "learners": 20_000, "attempts": 60_000, "certificates": 15_000}
SCALES = {"full": 1.0, "small": 0.05}

# The goals of the performance issue: a page's requests per second as a share of the trivial
# view's in the same run, and its 99th percentile latency at 8 concurrent clients.
GOALS = [  # (name, what, share of the trivial view)
    ("home", "Home page, anonymous", 0.50),
    ("course", "Course overview, anonymous", 0.50),
    ("module-anon", "Module overview, anonymous", 0.50),
    ("lesson", "Lesson page, logged in", 0.25),
    ("quiz", "Quiz submit and grade", 0.10),
    ("providers", "Provider dashboard", 0.10),
    ("certificate", "Certificate download (stored PDF)", 0.50),
]
P99_GOAL_MS = 50.0
MEMORY_REQUESTS = 10_000  # a worker's memory must stay flat over at least this many requests (each)
MEMORY_GROWTH = 0.10  # "flat": no worker ends more than this share above its starting RSS


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


def write_env(path, values, mode="w"):
    with Path(path).open(mode) as out:
        out.write("".join(f"{k}={shlex.quote(str(v))}\n" for k, v in values.items()))


# --- data -------------------------------------------------------------------------------------


def load_options(scale):
    """generate_load_data's options for ``scale``: "full" (its defaults), "small" or a fraction."""
    try:
        factor = SCALES[scale] if scale in SCALES else float(scale)
    except ValueError:
        sys.exit(f"BENCH_SCALE must be full, small or a fraction such as 0.25, not {scale!r}.")
    if not 0 < factor <= 1:
        sys.exit(f"BENCH_SCALE must be more than 0 and at most 1, not {scale!r}.")
    options = {name: max(1, round(value * factor)) for name, value in LOAD_DEFAULTS.items()}
    options["providers"] = max(options["providers"], 3)  # the large one, a small one, a childminder
    print(" ".join(f"--{name} {value}" for name, value in options.items()))


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
    course = module.get_parent().specific
    pages = {
        "HOME_URL": module.get_site().root_page.specific.url,
        "COURSE_URL": course.url,
        "COURSE_TITLE": course.title,
        "MODULE_URL": module.url,
        "MODULE_TITLE": module.title,
        "FIRST_LESSON_TITLE": lessons[0].title,
        "LESSON_URL": lesson.url,
        "LESSON_TITLE": lesson.title,
        "LESSON_NUMBER": "3",
        "LESSON_SENSITIVE": "yes" if lesson.sensitive else "no",
    }
    write_env(pages_env, pages)
    print(
        f"Demo learner: lessons 1-2 done, lesson 3 ({lesson.title}) opened"
        f"{', content note acknowledged' if lesson.sensitive else ''}."
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
    write_env(pages_env, pages, mode="a")
    print(f"Certificate {issued.code} for {CERTIFICATE_LEARNER}: PDF stored ({pdf.size:,} bytes).")


# --- sessions and query counts ----------------------------------------------------------------


def signed_in_client(user):
    """A test client signed in as ``user`` as login would, without the login form."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def learner_client(email=DEMO_LEARNER):
    from django.contrib.auth import get_user_model

    return signed_in_client(get_user_model().objects.get(email=email))


def cookie_header(client):
    """The Cookie header a browser would send with this client's session (the settings name the
    cookies: production calls them __Host-sessionid and __Host-csrftoken). A browser that has seen
    one page sends its CSRF cookie too; without one, every page would make and set a new one."""
    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    session = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    csrf = f"{settings.CSRF_COOKIE_NAME}={get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)}"
    return f"Cookie: {session}; {csrf}"


def cookie(email=DEMO_LEARNER):
    setup_django()
    print(cookie_header(learner_client(email)))


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
    holder = learner_client(pages["CERTIFICATE_LEARNER"])
    measured = [
        ("healthz", anonymous, "/healthz/"),
        ("home", anonymous, pages["HOME_URL"]),
        ("course", anonymous, pages["COURSE_URL"]),
        ("module-anon", anonymous, pages["MODULE_URL"]),
        ("module", learner, pages["MODULE_URL"]),
        ("lesson", learner, pages["LESSON_URL"]),
        ("certificate", holder, pages["CERTIFICATE_URL"]),
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
        print(f"  {label:<7} {name:<12} {len(captured):>3} queries {kinds}")
    Path(out).write_text(json.dumps(results, indent=2))


# --- measuring --------------------------------------------------------------------------------

WRK_THREADS, WRK_CONNECTIONS, WARMUP = 2, 8, "3s"
# wrk's own default (2 s) leaves slower answers out of the latency figures; with 10 s they count,
# and a page that still times out has its p99 reported as "at least 10 s".
WRK_TIMEOUT_S = 10
QUIET = 0.10  # other processes may use at most this share of the CPUs before a measurement


def cpu_busy_seconds():
    """Busy time of all CPUs since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def gunicorn_processes(root_pid):
    """{pid: (parent pid, CPU seconds)} of gunicorn's master and its workers."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
        except OSError:
            continue
        fields = rest.rsplit(") ", 1)[1].split()
        if int(pid) == root_pid or int(fields[1]) == root_pid:
            found[int(pid)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    return found


def process_tree_seconds(root_pid):
    """CPU time of gunicorn's master and its workers."""
    return sum(seconds for _parent, seconds in gunicorn_processes(root_pid).values())


def others_share(seconds=2.0, root_pid=None):
    """Share of all CPUs used by processes other than gunicorn over ``seconds``."""
    busy, ours = cpu_busy_seconds(), process_tree_seconds(root_pid) if root_pid else 0.0
    time.sleep(seconds)
    busy = cpu_busy_seconds() - busy
    ours = (process_tree_seconds(root_pid) if root_pid else 0.0) - ours
    return max(0.0, busy - ours) / (seconds * os.cpu_count())


def wait_for_quiet(master_pid):
    """Wait (up to BENCH_QUIET_WAIT seconds, default 300) until other processes leave the CPUs
    mostly idle; returns their share of the CPUs at the end."""
    deadline = time.monotonic() + int(os.environ.get("BENCH_QUIET_WAIT", "300"))
    share = others_share(root_pid=master_pid)
    while share > QUIET and time.monotonic() < deadline:
        print(f"   other processes use {share:.0%} of the CPUs; waiting for a quieter machine")
        time.sleep(5)
        share = others_share(root_pid=master_pid)
    return share


def seconds_of(duration):
    """wrk's duration ("15s", "1m", "500ms"... or a bare number of seconds) in seconds."""
    match = re.fullmatch(r"([\d.]+)(ms|s|m|h)?", duration.strip())
    if not match:
        sys.exit(f"Cannot read the duration {duration!r} (use 15s, 1m, ...).")
    return float(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[match.group(2)]


def wrk(url, duration, headers=(), script=None, script_args=()):
    """One bounded wrk run (-t2 -c8 --latency); its output. Loopback only: benchmark.sh gives
    http://127.0.0.1 URLs, and this refuses any other."""
    if not url.startswith("http://127.0.0.1:"):
        sys.exit(f"The benchmark only talks to 127.0.0.1, not {url}.")
    args = [shutil.which("wrk") or "/usr/bin/wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", "--latency"]
    args += [f"--timeout={WRK_TIMEOUT_S}s", f"-d{duration}"]
    for header in headers:
        args += ["-H", header]
    if script:
        args += ["-s", str(script)]
    args.append(url)
    if script_args:
        args += ["--", *map(str, script_args)]
    return subprocess.run(  # noqa: S603
        args, check=True, capture_output=True, text=True, timeout=seconds_of(duration) + 60
    ).stdout


def note_served(results_dir, what, count):
    """Requests answered by the measured gunicorn since the first memory reading (rss start)."""
    with Path(results_dir, "served.txt").open("a") as out:
        out.write(f"{count}\t{what}\n")


def timed_wrk(url, duration, master_pid, **wrk_args):
    """wrk with the CPU time of gunicorn, wrk itself and every other process meanwhile."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy, ours, started = cpu_busy_seconds(), process_tree_seconds(master_pid), time.monotonic()
    output = wrk(url, duration, **wrk_args)
    elapsed = time.monotonic() - started
    busy = cpu_busy_seconds() - busy
    gunicorn_cpu = process_tree_seconds(master_pid) - ours
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    load = {
        "elapsed_s": elapsed,
        "gunicorn_cpu_s": gunicorn_cpu,
        "during": max(0.0, busy - gunicorn_cpu - wrk_cpu) / (elapsed * os.cpu_count()),
        "gunicorn_cpu_share": gunicorn_cpu / (elapsed * os.cpu_count()),
        "wrk_cpu_share": wrk_cpu / (elapsed * os.cpu_count()),
    }
    return output, load


def measure_page(
    results_dir, name, url, master_pid, headers=(), script=None, warmup_args=(), measured_args=(), wait=True
):
    """Wait for a quiet machine (unless the caller just did), warm up, then measure one URL with
    wrk; keeps wrk's output (wrk-NAME.txt) and the CPU use meanwhile (load-NAME.json). A wrk
    script gets its own arguments for the warm-up and for the measured run."""
    results_dir, master_pid = Path(results_dir), int(master_pid)
    share = wait_for_quiet(master_pid) if wait else others_share(root_pid=master_pid)
    warm = wrk(url, WARMUP, headers=headers, script=script, script_args=warmup_args)
    note_served(results_dir, f"{name} warm-up", parse_wrk(warm)["requests"])
    duration = os.environ.get("BENCH_DURATION", "15s")
    output, load = timed_wrk(
        url, duration, master_pid, headers=headers, script=script, script_args=measured_args
    )
    load["before"] = share
    run = parse_wrk(output)
    note_served(results_dir, name, run["requests"])
    (results_dir / f"wrk-{name}.txt").write_text(output)
    (results_dir / f"load-{name}.json").write_text(json.dumps(load))
    print(
        f"   {run['rps']:,.1f} requests/s, p99 {run['p99_ms']:.1f} ms; CPUs: gunicorn "
        f"{load['gunicorn_cpu_share']:.0%}, wrk {load['wrk_cpu_share']:.0%}, other processes "
        f"{load['during']:.0%}" + (f"; {run['non_2xx']} non-2xx" if run["non_2xx"] else "")
    )
    return output, load


def measure(results_dir, name, url, master_pid, *headers):
    measure_page(results_dir, name, url, master_pid, headers=headers)


def worker_rss(master_pid):
    """{worker pid: resident memory in kB} for each gunicorn worker, from /proc/<pid>/status."""
    rss = {}
    for pid, (parent, _seconds) in gunicorn_processes(master_pid).items():
        if parent != master_pid:
            continue
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss[str(pid)] = int(line.split()[1])
    return rss


def rss(results_dir, label, master_pid):
    """Note each worker's VmRSS now; "start" also starts the count of requests served."""
    results_dir = Path(results_dir)
    if label == "start":
        (results_dir / "served.txt").write_text("")
    reading = {"workers": worker_rss(int(master_pid)), "at": time.time()}
    (results_dir / f"rss-{label}.json").write_text(json.dumps(reading))
    print(
        f"   gunicorn workers' resident memory ({label}): "
        + ", ".join(f"{pid} {kb / 1024:.1f} MB" for pid, kb in reading["workers"].items())
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
    socket_errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, errors), strict=True)) if errors else {}
    )
    requests = int(total[0]) if total else None
    # Answers slower than wrk's timeout are left out of its latency figures: when they are 1% or
    # more of the requests, the 99th percentile is at least the timeout.
    if socket_errors.get("timeout") and socket_errors["timeout"] >= 0.01 * max(requests or 0, 1):
        p99 = max(p99, WRK_TIMEOUT_S * 1000.0)
        p99_at_least = True
    else:
        p99_at_least = False
    return {
        "rps": float(rps[0]),
        "p99_ms": p99,
        "p99_at_least": p99_at_least,
        "requests": requests,
        "seconds": float(total[1]) * UNITS[total[2]] / 1000 if total and total[2] in UNITS else None,
        "non_2xx": int(non_2xx[0]),
        "socket_errors": socket_errors,
    }


def p99_cell(run):
    """The 99th percentile for a table: "≥ 10,000.0" when too many answers timed out."""
    figure = f"{run['p99_ms']:,.1f}"
    if run.get("p99_at_least"):
        return f"≥ {figure} ({run['socket_errors']['timeout']} timed out)"
    return figure


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


def load_data_summary(results_dir):
    """generate_load_data's options, its printed counts and how long it took."""
    counts = []
    for line in (results_dir / "load-data.txt").read_text().splitlines():
        match = re.fullmatch(r"  (\S.*?)\s{2,}([\d,]+)", line)
        if match and not match.group(1).startswith(" "):
            counts.append((match.group(1), match.group(2)))
    options = (results_dir / "load-options").read_text().strip()
    seconds = int((results_dir / "load-data-seconds").read_text().strip())
    return options, counts, seconds


def memory_lines(results_dir):
    """The memory goal: each worker's RSS at the first and last reading, requests in between."""
    start = json.loads((results_dir / "rss-start.json").read_text())["workers"]
    end = json.loads((results_dir / "rss-end.json").read_text())["workers"]
    served = [line.split("\t") for line in (results_dir / "served.txt").read_text().splitlines() if line]
    total = sum(int(count) for count, _what in served)
    topped = sum(int(count) for count, what in served if what.startswith("top-up"))
    same = set(start) == set(end)
    growth = {pid: (end[pid] - kb) / kb for pid, kb in start.items() if pid in end}
    flat = same and all(g <= MEMORY_GROWTH for g in growth.values())
    # gunicorn's sync workers take connections in turn from one socket, so the split between them is
    # not observed: the two together must have answered MEMORY_REQUESTS each.
    enough = total >= MEMORY_REQUESTS * len(start)
    if not same:
        verdict, met = "missed: a worker was replaced during the run, so its memory was not followed", False
    elif not enough:
        verdict, met = (
            f"not shown: only {total:,} requests, fewer than {MEMORY_REQUESTS:,} for each of "
            f"{len(start)} workers",
            False,
        )
    else:
        verdict, met = ("met" if flat else "missed"), flat
    workers = "; ".join(
        f"worker {pid}: {kb / 1024:,.1f} MB at the start, "
        + (
            f"{end[pid] / 1024:,.1f} MB at the end ({(end[pid] - kb) / 1024:+,.1f} MB, {growth[pid]:+.1%})"
            if pid in end
            else "gone at the end"
        )
        for pid, kb in start.items()
    )
    extra = [
        f"new worker {pid}: {kb / 1024:,.1f} MB at the end" for pid, kb in end.items() if pid not in start
    ]
    line = (
        f"Memory (a worker's RSS stays flat over {MEMORY_REQUESTS:,} requests; flat here means no worker "
        f"ends more than {MEMORY_GROWTH:.0%} above where it started): **{verdict}**. VmRSS from "
        "/proc/<pid>/status after every page had been requested on both workers, and again after the "
        f"last measurement: {workers}" + ("; " + "; ".join(extra) if extra else "") + ". "
        f"{total:,} requests were answered in between (every wrk run, warm-ups included, the quiz "
        "check and the CSV exports"
        + (
            f"; {topped:,} of them in 2 s runs of the anonymous pages, the lesson, the certificate "
            f"download and the trivial view in turn, to reach {MEMORY_REQUESTS * len(start):,}"
            if topped
            else ""
        )
        + f"), by the {len(start)} workers together: about {total // max(1, len(start)):,} each (the "
        "split is not observed: sync workers take connections in turn from one socket)."
    )
    return met, verdict, [line, ""]


def report(results_dir, out):
    results_dir = Path(results_dir)
    pages = read_env_file(results_dir / "pages.env")
    providers = read_env_file(results_dir / "providers.env")
    counts = json.loads((results_dir / "queries.json").read_text())
    quiz_counts = json.loads((results_dir / "quiz-queries.json").read_text())
    provider_counts = json.loads((results_dir / "providers-queries.json").read_text())
    quiz = json.loads((results_dir / "quiz.json").read_text())
    render = json.loads((results_dir / "certificate-render.json").read_text())
    wrk_args = (results_dir / "wrk-args").read_text().strip()
    names = [
        "healthz",
        "home",
        "course",
        "module-anon",
        "module",
        "lesson",
        "quiz",
        "providers",
        "certificate",
    ]
    runs = {name: parse_wrk((results_dir / f"wrk-{name}.txt").read_text()) for name in names}
    # The quiz counts only the answers a learner would get (the redirect to the result page).
    runs["quiz"] = {**runs["quiz"], "rps": quiz["rps"], "requests": quiz["good"]}
    loads = {n: json.loads((results_dir / f"load-{n}.json").read_text()) for n in names}
    base = runs["healthz"]["rps"]
    info = machine((results_dir / "wrk-version").read_text().split("[")[0].strip() or "wrk")
    options, load_counts, load_seconds = load_data_summary(results_dir)
    staff = int(providers["PROVIDER_STAFF"])
    labels = {
        "healthz": "Trivial view `/healthz/` (baseline)",
        "home": f"Home page `{pages['HOME_URL']}`, anonymous",
        "course": f"Course overview `{pages['COURSE_URL']}`, anonymous",
        "module-anon": f"Module overview `{pages['MODULE_URL']}`, anonymous",
        "module": f"Module overview `{pages['MODULE_URL']}`, demo learner",
        "lesson": f"Lesson {pages['LESSON_NUMBER']} `{pages['LESSON_URL']}`, demo learner",
        "quiz": f"Quiz submit and grade `POST {quiz['path_shape']}`, a fresh attempt each time",
        "providers": f"Provider dashboard `{providers['PROVIDER_URL']}`, {staff:,} staff, owner, "
        "record unchanged since the last view (from the cache)",
        "certificate": "Certificate download (stored PDF), its owner",
    }

    cpu_ms = {n: 1000 * loads[n]["gunicorn_cpu_s"] / (runs[n]["rps"] * loads[n]["elapsed_s"]) for n in names}

    # Goals first: the verdicts.
    verdicts, missed = [], []
    for name, what, share in GOALS:
        run = runs[name]
        ratio = run["rps"] / base
        met = ratio >= share
        p99_met = run["p99_ms"] < P99_GOAL_MS and not run.get("p99_at_least")
        if name == "providers":
            what = f"{what}, {staff:,} staff (record from the cache; worked out: see *Providers*)"
        figure = f"{run['rps']:,.1f} requests/s"
        if name == "quiz" and quiz["bad"]:
            figure += f" (and {quiz['bad']:,} failed submissions, not counted)"
        verdicts.append(
            f"| {what} | {figure} | {base:,.1f} requests/s | {ratio:.1%} | "
            f"{cpu_ms['healthz'] / cpu_ms[name]:.1%} | ≥ {share:.0%} | {'met' if met else '**missed**'} | "
            f"{p99_cell(run)} | {'met' if p99_met else '**missed**'} |"
        )
        if not met:
            missed.append(f"{what} at {ratio:.1%} of the trivial view (goal {share:.0%})")
        if not p99_met:
            missed.append(f"{what} p99 {p99_cell(run)} ms (goal under {P99_GOAL_MS:.0f} ms)")
    render_met = render["ratio"] <= render["goal"]
    verdicts.append(
        f"| Certificate render (in process) | {render['certificate_ms']:.1f} ms | "
        f"{render['minimal_ms']:.1f} ms (minimal WeasyPrint page) | {render['ratio']:.2f}× | "
        f"{render['cpu_ratio']:.2f}× | ≤ {render['goal']}× | {'met' if render_met else '**missed**'} | — | "
        "not a goal |"
    )
    if not render_met:
        missed.append(
            f"Certificate render at {render['ratio']:.2f}× the minimal page (goal {render['goal']}×)"
        )
    memory_met, memory_verdict, memory = memory_lines(results_dir)
    if not memory_met:
        missed.append(f"Memory ({memory_verdict})")
    goals_total = 2 * len(GOALS) + 2

    def query_cell(name):
        if name == "quiz":
            v, b = quiz_counts["volume"], quiz_counts.get("base", {})
            cell = f"{v['pass']} pass / {v['fail']} fail"
            if b and (b["pass"], b["fail"]) != (v["pass"], v["fail"]):
                cell += f" (was {b['pass']} / {b['fail']} before the load data)"
            return cell
        if name == "providers":
            big, small = provider_counts["big"], provider_counts["small"]
            return str(big["count"]) + (
                f" ({small['count']} with {small['rows']} rows)" if small["count"] != big["count"] else ""
            )
        volume_count = counts["volume"][name]["count"]
        base_count = counts.get("base", {}).get(name, {}).get("count")
        if base_count is not None and base_count != volume_count:
            return f"{volume_count} (was {base_count} before the load data)"
        return str(volume_count)

    problems = [
        f"{name}: {run['non_2xx']} non-2xx/3xx responses, socket errors {run['socket_errors']}"
        for name, run in runs.items()
        if run["non_2xx"] or any(run["socket_errors"].values())
    ]
    if quiz["bad"]:
        problems.append(
            f"quiz: {quiz['bad']} answers that were not the redirect to the result page ("
            + ", ".join(f"{n} × {status}" for status, n in quiz["other_statuses"].items())
            + ")"
        )
    same_counts = (
        all(
            counts["volume"][n]["count"] == counts.get("base", {}).get(n, {}).get("count")
            for n in counts["volume"]
        )
        and quiz_counts.get("base") == quiz_counts["volume"]
    )
    scale = os.environ.get("BENCH_SCALE", "full")
    lines = [
        "<!-- Generated by scripts/benchmark.sh: do not edit by hand; rerun the script. -->",
        "# Benchmarks",
        "",
        "*This file is generated by `scripts/benchmark.sh` and overwritten on every run; every "
        "figure below comes from its last run.*",
        "",
        "Throughput and tail latency of the pages people use most, against a trivial view "
        "(`/healthz/`, which touches neither the database nor templates) served by the same "
        "processes in the same run, so the ratio says what the page itself costs on whatever "
        "machine runs it. Rerun with:",
        "",
        "```sh",
        "scripts/benchmark.sh                                   # the goals at full volume",
        "BENCH_SCALE=small BENCH_DURATION=5s BENCH_QUIET_WAIT=5 scripts/benchmark.sh   # a quick check",
        "```",
        "",
        f"This run: `BENCH_SCALE={scale}`, `BENCH_DURATION={os.environ.get('BENCH_DURATION', '15s')}`"
        + (
            "; **a reduced volume: the figures are a check that the script works, not the goals' "
            "verdict at scale.**"
            if scale != "full"
            else "."
        ),
        "",
        "## How it runs",
        "",
        f"- A throwaway SQLite database in a temporary folder: `migrate`, `load_demo`, then the "
        f"demo learner (`{DEMO_LEARNER}`) finishes lessons 1 and 2 and opens lesson 3"
        + (" after its content note" if pages["LESSON_SENSITIVE"] == "yes" else "")
        + ", and a learner passes the module and downloads her certificate once (its PDF is stored). "
        "Queries are counted, then `manage.py generate_load_data "
        + options
        + f"` adds the volume in {load_seconds:,} s: "
        + ", ".join(f"{count} {label.lower()}" for label, count in load_counts if "  " not in label)
        + "; queries are counted again.",
        f"- The provider dashboard measured is that of generate_load_data's large provider, "
        f"{providers['PROVIDER_NAME']} ({staff:,} staff in this run; 2,000 at the full volume); its "
        "queries are also counted for "
        f"{providers['PROVIDER_SMALL_NAME']} ({int(providers['PROVIDER_SMALL_STAFF']):,} staff).",
        "- `gunicorn cms.wsgi` with `cms.settings.production` (`DEBUG` off, WhiteNoise manifest "
        "static files from `collectstatic` into `./staticfiles`, `SECURE_SSL_REDIRECT=false` "
        "because there is no TLS on loopback, `CACHE_URL=locmemcache://`, background jobs stored "
        "in the database), 2 sync workers, on 127.0.0.1.",
        f"- `{wrk_args}` per page after a 3 s warm-up, each page checked for its real content "
        "first. Anonymous pages are requested without any cookie; the logged-in ones send a session "
        "cookie made without the login form (the demo learner; the provider's owner, who has an "
        "authenticator app as production requires of managers; the certificate's owner). wrk runs "
        "on the same cores as gunicorn, so absolute figures are low; compare ratios.",
        f"- Quiz submit and grade: {quiz['prepared']:,} learners who have finished every lesson, "
        "each with an attempt drawn as `quizzes.services.start_attempt` draws it, a session cookie "
        "and a CSRF cookie and token of their own; wrk's Lua script "
        "(in `scripts/benchmark_quiz.py`) posts each attempt's answers once, from the paper kept on "
        "the server (the page never holds the key), "
        f"{quiz['pass_share']:.0%} of them right enough to pass. Details under *Quiz submit and "
        "grade* below.",
        "- Queries: Django's test client with `CaptureQueriesContext`, same settings and "
        "database, on a page's second request (per-process caches warm), before and after the "
        "load data.",
        "",
        "## Machine",
        "",
        f"- CPUs (`nproc`): {info['nproc']}; model: {info['cpu']}",
        f"- {info['python']}; {info['stack']}; Linux {info['kernel']}",
        f"- Run on {info['date']}, code at {(results_dir / 'code-version').read_text().strip()}",
        "",
        "## Results",
        "",
        "### Goals",
        "",
        "Throughput as a share of the trivial view's requests per second in the same run, and the "
        f"99th percentile latency at {WRK_CONNECTIONS} concurrent clients (goal: under "
        f"{P99_GOAL_MS:.0f} ms for every page; the PDF render has no latency goal). The verdict "
        "is on requests per second; the CPU-based ratio (gunicorn's CPU time per answer, see *CPU "
        "per request*) is beside it because it moves less when other processes share the machine.",
        "",
        "| goal | figure | baseline | ratio | ratio (CPU-based) | goal | verdict | p99 ms "
        "| p99 under 50 ms |",
        "|---|---:|---:|---:|---:|---|---|---:|---|",
        *verdicts,
        "",
        *memory,
        f"{goals_total - len(missed)} of {goals_total} goals met"
        + (". **Missed:** " + "; ".join(missed) + "." if missed else "."),
        "",
        "### Every page measured",
        "",
        "| page | requests/s | p99 ms | ratio to the trivial view | queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in names:
        run = runs[name]
        lines.append(
            f"| {labels[name]} | {run['rps']:,.1f} | {p99_cell(run)} | {run['rps'] / base:.1%} | "
            f"{query_cell(name)} |"
        )
    lines += [""]
    if same_counts:
        lines += [
            "Query counts are the same before and after the load data: no page's queries grow "
            "with the number of learners, attempts or certificates.",
            "",
        ]
    lines += [
        "CPU use during each measurement, as a share of all CPUs (gunicorn / wrk / every other "
        "process, kernel network time included): "
        + "; ".join(
            f"{n} {v['gunicorn_cpu_share']:.0%} / {v['wrk_cpu_share']:.0%} / {v['during']:.0%}"
            for n, v in loads.items()
        )
        + ".",
        "",
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
        f"| {labels[name].split(' `')[0].split(' (')[0]}"
        + (", anonymous" if name.endswith("-anon") else "")
        + f" | {cpu_ms[name]:.2f} | {cpu_ms['healthz'] / cpu_ms[name]:.1%} |"
        for name in names
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
    lines += quiz_section(quiz, quiz_counts, loads["quiz"])
    Path(out).write_text("\n".join(lines))
    print("\n".join(lines[lines.index("## Results") :]))
    return 0


def quiz_section(quiz, counts, load):
    duration = quiz["seconds"]
    lines = [
        "### Quiz submit and grade",
        "",
        f"Before measuring, one prepared attempt was posted with Python's http.client and answered "
        f"as a learner's is: `{quiz['check']['status']}` to `{quiz['check']['location']}`, whose page "
        f"says \u201c{quiz['check']['heading']}\u201d; the attempt was then submitted with "
        f"{quiz['check']['responses']} graded responses"
        + (" and a certificate" if quiz["check"]["certificate"] else "")
        + f" (a failing one too: \u201c{quiz['check']['fail_heading']}\u201d, no certificate).",
        "",
        f"A {quiz['probe_seconds']:.0f} s probe answered {quiz['probe_rps']:,.1f} submissions per "
        f"second, so {quiz['warmup_prepared']:,} attempts were prepared for the 3 s warm-up and "
        f"{quiz['measured_prepared']:,} for the {duration:.1f} s measured run (1.5 times what the "
        "probe's rate needs, plus a margin), each attempt posted once. Each wrk thread takes its own "
        "share of them; a thread that runs out sends a request to a missing page instead, which would "
        "show as non-2xx responses and fail the run"
        + (
            f" (this run: **{quiz['ran_out']} requests after running out, so the figure is wrong**)"
            if quiz["ran_out"]
            else " (none ran out in this run)"
        )
        + ".",
        "",
        f"Counted: {quiz['good']:,} answers that redirect to the attempt's result page "
        f"({quiz['rps']:,.1f} per second), {quiz['bad']:,} other answers"
        + (
            " ("
            + ", ".join(f"{n:,} × {status}" for status, n in quiz["other_statuses"].items())
            + (
                f"; over the whole run, probe and warm-up included, the gunicorn log has "
                f"{quiz['database_locked']:,} \u201cdatabase is locked\u201d errors: two workers "
                "writing to SQLite at once"
                if quiz["database_locked"]
                else ""
            )
            + ")"
            if quiz["bad"]
            else ""
        )
        + ". Checked in the database "
        f"afterwards: {quiz['submitted']:,} of the prepared attempts are submitted (wrk does not count "
        f"the up to {WRK_CONNECTIONS} requests still open when it stops), each with its graded "
        f"responses; {quiz['passed']:,} passed, each with a certificate, and {quiz['failed']:,} failed. "
        f"gunicorn used {load['gunicorn_cpu_share']:.0%} of the CPUs meanwhile.",
        "",
        f"Queries per submission, on a second submission in one process: {counts['volume']['pass']} "
        f"for a pass (grading, the responses, the audit log, completing the module, the certificate "
        f"and its PDF job) and {counts['volume']['fail']} for a fail"
        + (
            f"; before the load data {counts['base']['pass']} and {counts['base']['fail']}."
            if "base" in counts
            else "."
        ),
        "",
    ]
    return lines


def main(argv):
    command, *args = argv
    if command == "load-options":
        load_options(*args)
    elif command == "learner-progress":
        learner_progress(*args)
    elif command == "certificate":
        certificate(*args)
    elif command == "cookie":
        cookie(*args)
    elif command == "queries":
        queries(*args)
    elif command == "measure":
        measure(*args)
    elif command == "rss":
        rss(*args)
    elif command == "report":
        return report(*args)
    else:
        sys.exit(f"Unknown command {command!r}; see the docstring of {__file__}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

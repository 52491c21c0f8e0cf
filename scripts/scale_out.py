"""Scale-out check: two gunicorn processes and two task workers on one PostgreSQL database, with
many learners going from sign-in to certificate at the same time (docs/deploy.md's set-up, small).

    scale_out.py run [LEARNERS]      everything, against a new database on DATABASE_URL's server
                                     (dropped at the end); prints the report, exits 1 on a problem
    scale_out.py prepare N PLAN      (internal, dev settings) N learners with verified emails and
                                     seats at one provider; writes their logins, the module's
                                     pages and the quiz's answer key (from the question bank)
    scale_out.py facts OUT TIMEOUT   (internal) wait for the workers to empty the queue, then
                                     write what the database holds: certificates, attempts, jobs

tests/scale_out runs it on PostgreSQL. The learners are driven over HTTP like browsers behind a load
balancer that ends TLS: each request goes to one gunicorn or the other (so a learner's session
crosses processes), says X-Forwarded-Proto: https and the learner's own X-Forwarded-For address
(rate limits count each learner), and carries the learner's cookies. Environment for `run`:
SCALE_OUT_REDIS_URL (a Redis for the shared cache; without it each process has its own local
memory cache, which is not what production runs).
"""

import contextlib
import functools
import html
import http.client
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_PREFIX = "h4_scaleout_"
PUBLIC_HOST = "training.example.org"  # the name the load balancer answers to
LEARNER_EMAIL = "scale-learner-{:04d}@example.com"
LEARNER_PREFIX = "scale-learner-"  # every learner this script makes
OWNER_EMAIL = "scale-owner@example.com"
HTTP_TIMEOUT = 120
MAX_REDIRECTS = 5
LOG_LINES = int(os.environ.get("SCALE_OUT_LOG_LINES", "40"))  # of each process's log, on a failure


# --- inside Django (prepare, facts) ------------------------------------------------------------


def setup_django():
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    import django

    django.setup()


def demo_module():
    from cms.demo import content
    from courses.models import ModulePage

    return ModulePage.objects.get(slug=content.MODULE["slug"])


def normalise(text):
    return " ".join(text.split())


def answer_key(quiz):
    """{question text as shown: [right option texts]}, from the question bank as a trainer sees it.
    A learner who has learned the module knows these; the quiz page itself never shows them."""
    import random

    from quizzes.grading import paper_entry

    key = {}
    for question in quiz.question_pool():
        entry = paper_entry(question, random.Random(0))  # noqa: S311 - only the option order
        stem = normalise(entry["stem"])
        if stem in key:
            raise SystemExit(f"Two questions share the text {stem!r}: the answer key needs them distinct.")
        key[stem] = [normalise(o["text"]) for o in entry["options"] if o["correct"]]
    return key


def prepare(count, plan_path):
    """``count`` learners, each with a verified email and a seat (so an enrolment) on the demo
    module at one provider, made through the providers' services as a manager's purchase would."""
    setup_django()
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from providers import services
    from providers.models import Provider, SeatOrder

    module = demo_module()
    quiz = module.quiz
    User = get_user_model()
    password = secrets.token_urlsafe(16)
    hashed = make_password(password)  # hashed once: a million PBKDF2 rounds per learner is minutes
    emails = [LEARNER_EMAIL.format(number) for number in range(1, count + 1)]
    with transaction.atomic():
        owner = User.objects.create_user(email=OWNER_EMAIL, password=None, certificate_name="Scale Owner")
        provider = services.create_provider(
            owner=owner,
            name="Scale-out Nursery",
            kind=Provider.Kind.NURSERY,
            billing_name="Scale Owner",
            billing_email=OWNER_EMAIL,
        )
        order = services.place_order(
            provider, module, count, method=SeatOrder.Method.INVOICE, placed_by=owner
        )
        services.fulfil_order(order, actor=owner)
        for number, email in enumerate(emails, start=1):
            learner = User(
                email=email,
                first_name="Learner",
                last_name=f"{number:04d}",
                certificate_name=f"Learner {number:04d}",
                password=hashed,
            )
            learner.save()
            EmailAddress.objects.create(user=learner, email=email, verified=True, primary=True)
            services.assign_seat(provider, module, learner, actor=owner)
    plan = {
        "password": password,
        "learners": emails,
        "module_url": module.url,
        "lesson_urls": [lesson.url for lesson in module.lessons],
        "quiz_url": quiz.url,
        "pass_mark": quiz.pass_mark,
        "answers": answer_key(quiz),
    }
    Path(plan_path).write_text(json.dumps(plan, indent=1))


def wait_for_queue(timeout):
    """Seconds waited until no job is ready to run or running (retries due later do not count)."""
    from django.db.models import Q
    from django.utils import timezone
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    started = time.monotonic()
    while True:
        due = Q(status=TaskResultStatus.RUNNING) | Q(
            Q(run_after__isnull=True) | Q(run_after__lte=timezone.now()), status=TaskResultStatus.READY
        )
        if not DBTaskResult.objects.filter(due).exists() or time.monotonic() - started > timeout:
            return time.monotonic() - started
        time.sleep(0.5)


def facts(out_path, timeout):
    """What the run left in the database, as JSON, once the workers have emptied the queue."""
    setup_django()
    from django.contrib.contenttypes.models import ContentType
    from django_tasks_db.models import DBTaskResult
    from wagtail.models import ModelLogEntry

    from certificates.models import Certificate
    from cms.models import TaskFailure
    from quizzes.models import Attempt

    waited = wait_for_queue(timeout)
    module = demo_module()
    learners = {}
    for attempt in (
        Attempt.objects.filter(enrolment__learner__email__startswith=LEARNER_PREFIX)
        .select_related("enrolment__learner")
        .prefetch_related("responses")
        .order_by("number")
    ):
        email = attempt.enrolment.learner.email
        learners.setdefault(email, {"attempts": [], "certificates": []})["attempts"].append(
            {
                "number": attempt.number,
                "status": attempt.status,
                "passed": attempt.passed,
                "score": attempt.score,
                "questions": len(attempt.paper),
                "responses": len(attempt.responses.all()),
            }
        )
    certificate_type = ContentType.objects.get_for_model(Certificate)
    issued_logs = Counter(
        ModelLogEntry.objects.filter(content_type=certificate_type, action="certificates.issue").values_list(
            "object_id", flat=True
        )
    )
    all_certificates = []
    for certificate in Certificate.objects.select_related("learner").order_by("issued_at"):
        head = ""
        if certificate.pdf and certificate.pdf.storage.exists(certificate.pdf.name):
            with certificate.pdf.open("rb") as pdf:
                head = pdf.read(5).decode("latin-1")
        row = {
            "code": certificate.code,
            "status": certificate.status,
            "module": certificate.module_id,
            "pdf": certificate.pdf.name or "",
            "pdf_head": head,
            "issue_log_entries": issued_logs[str(certificate.pk)],
        }
        all_certificates.append(row)
        email = certificate.learner.email if certificate.learner else ""
        if email.startswith(LEARNER_PREFIX) and certificate.module_id == module.pk:
            learners.setdefault(email, {"attempts": [], "certificates": []})["certificates"].append(row)
    tasks = list(DBTaskResult.objects.all())
    result = {
        "waited_seconds": round(waited, 1),
        "learners": learners,
        "certificates": all_certificates,
        "task_statuses": dict(Counter(task.status for task in tasks)),
        "tasks_by_path": dict(Counter(task.task_path for task in tasks)),
        "reference_index_jobs_by_model": dict(
            Counter(
                ".".join(task.args_kwargs["args"][:2])
                for task in tasks
                if task.task_path.endswith("update_reference_index_task")
            )
        ),
        "unfinished_tasks": [
            {"path": t.task_path, "status": t.status, "run_after": str(t.run_after)}
            for t in tasks
            if t.status in ("READY", "RUNNING")
        ],
        "failed_tasks": [
            {"path": t.task_path, "exception": t.exception_class_path, "traceback": t.traceback[-2000:]}
            for t in tasks
            if t.status == "FAILED"
        ],
        "task_failures": [
            {"label": f.label, "attempts": f.attempts, "error": f.error} for f in TaskFailure.objects.all()
        ],
    }
    Path(out_path).write_text(json.dumps(result, indent=1))


# --- the learners, over HTTP -------------------------------------------------------------------


class LearnerFailed(Exception):
    """A learner could not go on: the message says at which step and what the site answered."""


@dataclass
class Traffic:
    """What the client saw, counted across every thread."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    by_port: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    server_errors: list = field(default_factory=list)
    connection_errors: list = field(default_factory=list)
    learner_errors: list = field(default_factory=list)
    passed: list = field(default_factory=list)
    double_clicks: list = field(default_factory=list)

    @property
    def requests(self):
        return sum(self.by_port.values())

    def record(self, port, status):
        with self.lock:
            self.by_port[port] += 1
            self.statuses[status] += 1

    def note(self, name, item):
        with self.lock:
            getattr(self, name).append(item)


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
INPUT = re.compile(r"<input\b([^>]*)>", re.I)
ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
HEADING = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")


def attributes(tag):
    return {name.lower(): html.unescape(value) for name, value in ATTRIBUTE.findall(tag)}


@dataclass
class Form:
    action: str
    inputs: list  # each input's attributes
    html: str

    @property
    def hidden(self):
        return {
            i["name"]: i.get("value", "") for i in self.inputs if i.get("type") == "hidden" and "name" in i
        }


@dataclass
class Page:
    """A response, read the way the learner's next step needs: its POST forms and its heading. The
    pages are read with regular expressions (a full HTML parse of every page would make the client
    the bottleneck); the quiz paper, read once per learner, with BeautifulSoup."""

    status: int
    path: str  # the path this response answered
    location: str  # the redirect's path, for a 3xx
    text: str

    def forms(self):
        found = []
        for opening, body in FORM.findall(self.text):
            form = attributes(opening)
            if form.get("method", "").lower() == "post":
                inputs = [attributes(tag) for tag in INPUT.findall(body)]
                found.append(Form(form.get("action", self.path), inputs, body))
        return found

    def form(self, *, action_contains="", field=""):
        for form in self.forms():
            if action_contains in form.action and (
                not field or any(i.get("name") == field for i in form.inputs)
            ):
                return form
        return None

    def heading(self):
        match = HEADING.search(self.text)
        return normalise(html.unescape(TAG.sub("", match.group(1)))) if match else ""


def path_of(location):
    parts = urlsplit(location)
    return urlunsplit(("", "", parts.path, parts.query, ""))


class Browser:
    """One learner's browser behind the load balancer: its cookies, its address, and requests that
    alternate between the gunicorn processes."""

    def __init__(self, traffic, ports, address, start=0):
        self.traffic = traffic
        self.ports = ports
        self.address = address
        self.turn = start
        self.cookies = {}
        self.cookie_lock = threading.Lock()

    def next_port(self):
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        return port

    def request(self, method, path, form=None, port=None):
        port = port or self.next_port()
        headers = {
            "Host": PUBLIC_HOST,
            "X-Forwarded-For": self.address,
            "X-Forwarded-Proto": "https",
            "User-Agent": "scale-out-check",
            "Accept": "text/html",
        }
        with self.cookie_lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{PUBLIC_HOST}"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.traffic.note("connection_errors", f"{method} {path} on port {port}: {error!r}")
            raise LearnerFailed(f"{method} {path}: no answer from port {port} ({error!r})") from error
        finally:
            connection.close()
        self.traffic.record(port, response.status)
        self.keep_cookies(response.headers.get_all("Set-Cookie") or [])
        if response.status >= 500:
            self.traffic.note("server_errors", f"{method} {path} on port {port}: {response.status}")
            raise LearnerFailed(f"{method} {path}: {response.status} from port {port}")
        return Page(response.status, path, path_of(response.headers.get("Location", "")), text)

    def keep_cookies(self, headers):
        for header in headers:
            try:
                cookie = SimpleCookie()
                cookie.load(header)
            except CookieError:
                continue
            with self.cookie_lock:
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def get(self, path):
        """GET ``path``, following redirects; the page finally shown."""
        for _ in range(MAX_REDIRECTS):
            page = self.request("GET", path)
            if page.status not in (301, 302, 303):
                return page
            path = page.location
        raise LearnerFailed(f"too many redirects from {path}")

    def submit(self, form, fields, *, port=None, follow=True):
        """POST a form of the last page (its CSRF token included) and show where it leads."""
        data = {**form.hidden, **fields}
        page = self.request("POST", form.action, form=data, port=port)
        if page.status in (301, 302, 303) and follow:
            return self.get(page.location)
        return page


def expect(condition, message):
    if not condition:
        raise LearnerFailed(message)


def answer_paper(page, key):
    """The right option keys for the questions on the attempt page, recognised by their text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.text, "html.parser")
    answers = {}
    for fieldset in soup.find_all("fieldset", class_="question"):
        legend = fieldset.find("legend")
        number = legend.find(class_="question__number")
        if number:
            number.extract()
        stem = normalise(legend.get_text())
        expect(stem in key, f"a question the answer key does not know: {stem!r}")
        labels = {label.get("for"): normalise(label.get_text()) for label in fieldset.find_all("label")}
        for option in fieldset.find_all("input"):
            if labels.get(option.get("id")) in key[stem]:
                answers.setdefault(option["name"], []).append(option["value"])
    return answers


def take_module(browser, email, plan, *, double_click):
    """Sign in, finish every lesson, pass the quiz; returns the certificate link on the result page."""
    page = browser.get("/accounts/login/")
    login = page.form(field="password")
    expect(page.status == 200 and login, f"the sign-in page answered {page.status} with no sign-in form")
    page = browser.submit(login, {"login": email, "password": plan["password"]})
    expect(page.path == "/my-learning/", f"signing in led to {page.path} ({page.status}), not My learning")

    page = browser.get(plan["lesson_urls"][0])
    for _ in range(2 * len(plan["lesson_urls"]) + 2):
        expect(page.status == 200, f"{page.path} answered {page.status}")
        form = page.form(action_contains="/content-note/") or page.form(action_contains="/complete/")
        if form is None:
            break
        page = browser.submit(form, {})
    expect(page.path == plan["quiz_url"], f"finishing the lessons led to {page.path}, not the quiz")

    start = page.form(action_contains="/start/")
    expect(start is not None, "the quiz page has no start button")
    page = browser.submit(start, {})
    form = page.form(action_contains="/attempt/")
    expect(page.status == 200 and form, f"starting the quiz led to {page.path}, with no quiz form")
    answers = answer_paper(page, plan["answers"])
    if double_click:
        # Two submissions of the same answers at the same moment, one to each process.
        barrier = threading.Barrier(2)
        answered = [None, None]

        def click(index):
            barrier.wait()
            with contextlib.suppress(LearnerFailed):  # counted by the browser; reported below
                answered[index] = browser.submit(form, answers, port=browser.ports[index], follow=False)

        clicks = [threading.Thread(target=click, args=(index,)) for index in range(2)]
        for thread in clicks:
            thread.start()
        for thread in clicks:
            thread.join()
        expect(all(answered), "a double-clicked submission failed")
        expect(
            all(p.status == 302 and "/result/" in p.location for p in answered),
            f"double-clicked submissions answered {[(p.status, p.location) for p in answered]}",
        )
        browser.traffic.note("double_clicks", email)
        page = browser.get(answered[0].location)
    else:
        page = browser.submit(form, answers)
    expect(page.status == 200 and "/result/" in page.path, f"submitting the quiz led to {page.path}")
    expect("you passed" in page.heading(), f"the result page says {page.heading()!r}")
    link = re.search(r'href="([^"]+)"[^>]*>\s*Download your certificate', page.text)
    expect(link is not None, "the result page has no certificate link")
    return link.group(1)


def drive(plan, ports, *, concurrency, double_clickers, traffic):
    """Every learner through the module, ``concurrency`` at a time; ``double_clickers`` of them,
    spread through the run, submit their quiz twice at once."""
    spacing = max(len(plan["learners"]) // max(double_clickers, 1), 1)  # spread through the run

    def one(index, email):
        browser = Browser(
            traffic, ports, f"10.{64 + index // 65536}.{index // 256 % 256}.{index % 256}", index
        )
        try:
            double_click = index % spacing == 0 and index // spacing < double_clickers
            take_module(browser, email, plan, double_click=double_click)
        except LearnerFailed as error:
            traffic.note("learner_errors", f"{email}: {error}")
        except Exception as error:  # noqa: BLE001 - reported with the others, never lost in a thread
            traffic.note("learner_errors", f"{email}: unexpected {error!r}")
        else:
            traffic.note("passed", email)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(one, index, email) for index, email in enumerate(plan["learners"])]:
            future.result()


# --- processes --------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def server_connection(url):
    import psycopg

    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_groups_cpu(groups):
    """CPU seconds used so far by every live process in these process groups (Linux /proc), with
    their children that have ended: what the web processes and workers cost, whatever else runs."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups:  # fields from the state on: ppid, pgrp, ...
            total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def tail(path, lines=None):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-(lines or LOG_LINES) :])
    except OSError:
        return ""


@dataclass
class Run:
    """One scale-out run: its processes, logs and what it measured."""

    database_url: str
    learners: int = 200
    concurrency: int = 24
    double_clickers: int = 20
    web_workers: int = 2
    redis_url: str = ""
    drain_timeout: int = 120
    say: object = print
    tmp: Path = None
    database: str = ""
    secret_key: str = ""
    processes: list = field(default_factory=list)  # (name, Popen, log path)
    masters: list = field(default_factory=list)  # the gunicorn masters, in the order of ports
    timings: dict = field(default_factory=dict)
    traffic: Traffic = field(default_factory=Traffic)
    ports: list = field(default_factory=list)
    plan: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    log_tails: dict = field(default_factory=dict)
    tracebacks: dict = field(default_factory=dict)  # process name: tracebacks in its whole log
    cpu: dict = field(default_factory=dict)  # CPU seconds by step or kind of process

    @property
    def cache_url(self):
        if not self.redis_url:
            return "locmemcache://"
        separator = "&" if urlsplit(self.redis_url).query else "?"
        return f"{self.redis_url}{separator}key_prefix={self.database}"  # nothing shared between runs

    def environment(self, settings):
        env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "CACHE_URL")}
        env.update(
            DJANGO_SETTINGS_MODULE=f"cms.settings.{settings}",
            DATABASE_URL=with_database(self.database_url, self.database),
            MEDIA_ROOT=str(self.tmp / "media"),
            CACHE_URL=self.cache_url,
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS=f"{PUBLIC_HOST},127.0.0.1",
            TASK_BACKEND="database" if settings == "production" else "immediate",
            TRUSTED_PROXY_COUNT="1",
            SECURE_SSL_REDIRECT="false",
            EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        return env

    def manage(self, settings, *args, log_name, timeout=600):
        log = self.tmp / f"{log_name}.log"
        before = children_cpu()
        with open(log, "wb") as out:
            done = subprocess.run(  # noqa: S603 - our own interpreter and script
                [sys.executable, *args],
                cwd=BASE_DIR,
                env=self.environment(settings),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        self.cpu[log_name] = round(children_cpu() - before, 1)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{tail(log)}")

    def start(self, name, *args):
        log = self.tmp / f"{name}.log"
        out = open(log, "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, *args],
            cwd=BASE_DIR,
            env=self.environment("production"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the gunicorn workers stop with it
        )
        out.close()
        self.processes.append((name, process, log))
        return process

    def wait_until_serving(self, port, process, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn on port {port} stopped ({process.returncode})")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz/", headers={"Host": PUBLIC_HOST})
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn on port {port} did not answer /healthz/ within {timeout} s")

    def stop_processes(self):
        for prefix in ("gunicorn", "worker"):
            groups = [p.pid for name, p, _ in self.processes if name.startswith(prefix)]
            if groups:
                self.cpu[prefix] = round(process_groups_cpu(groups), 1)
        for _, process, _ in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 15
        for _, process, _ in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            # The process's own group: gunicorn workers a master that did not stop in time left.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def execute(self):
        """The whole run; the database and every process are gone when it returns or raises."""
        began = time.monotonic()
        self.tmp = Path(tempfile.mkdtemp(prefix="scale-out-"))
        self.database = DATABASE_PREFIX + secrets.token_hex(4)
        self.secret_key = secrets.token_urlsafe(48)
        created = False
        try:
            with server_connection(self.database_url) as connection:
                connection.execute(f'CREATE DATABASE "{self.database}"')
            created = True
            self.phase("set-up", self.set_up)
            self.phase("start", self.wait_for_servers)
            self.phase("learners", self.run_learners)
            self.phase("queue", self.collect_facts)
        except BaseException:
            self.keep_log_tails()
            self.say(self.describe_logs())
            raise
        finally:
            self.keep_log_tails()
            self.stop_processes()
            if created:
                with server_connection(self.database_url) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.timings["total"] = round(time.monotonic() - began, 1)
        return self

    def phase(self, name, step):
        began = time.monotonic()
        step()
        self.timings[name] = round(time.monotonic() - began, 1)

    def set_up(self):
        # Production pages need WhiteNoise's manifest in ./staticfiles (STATIC_ROOT is fixed there).
        static = self.tmp / "collectstatic.log"
        with open(static, "wb") as out:
            collect = subprocess.Popen(  # noqa: S603
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=BASE_DIR,
                env=self.environment("production"),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            plan = self.tmp / "plan.json"
            steps = {
                "migrate": ("manage.py", "migrate", "--noinput", "-v0"),
                "load_demo": ("manage.py", "load_demo"),
                "prepare": (__file__, "prepare", str(self.learners), str(plan)),
            }
            for name, args in steps.items():
                self.phase(name, functools.partial(self.manage, "dev", *args, log_name=name))
                if name == "migrate":
                    self.start_servers()  # they boot while the demo course and learners are made
            self.plan = json.loads(plan.read_text())
        finally:
            if collect.wait(timeout=300):
                raise RuntimeError(f"collectstatic failed:\n{tail(static)}")

    def start_servers(self):
        self.ports = [free_port(), free_port()]
        for number, port in enumerate(self.ports, start=1):
            self.masters.append(
                self.start(
                    f"gunicorn-{number}",
                    "-m",
                    "gunicorn",
                    "cms.wsgi",
                    "--workers",
                    str(self.web_workers),
                    "--worker-class",
                    "sync",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--no-control-socket",
                    "--timeout",
                    "120",
                    "--error-logfile",
                    "-",
                )
            )
        for number in (1, 2):
            self.start(
                f"worker-{number}", "manage.py", "db_worker", "--interval", "0.5", "--no-startup-delay"
            )

    def wait_for_servers(self):
        for port, master in zip(self.ports, self.masters, strict=True):
            self.wait_until_serving(port, master)

    def run_learners(self):
        before = time.process_time()
        drive(
            self.plan,
            self.ports,
            concurrency=self.concurrency,
            double_clickers=self.double_clickers,
            traffic=self.traffic,
        )
        self.cpu["client"] = round(time.process_time() - before, 1)
        for name, process, _ in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"{name} stopped during the run ({process.returncode})")

    def collect_facts(self):
        out = self.tmp / "facts.json"
        self.manage(
            "production",
            __file__,
            "facts",
            str(out),
            str(self.drain_timeout),
            log_name="facts",
            timeout=self.drain_timeout + 120,
        )
        self.facts = json.loads(out.read_text())

    def keep_log_tails(self):
        for name, _, log in self.processes:
            if log.exists():
                self.log_tails[name] = tail(log)
                self.tracebacks[name] = log.read_text(errors="replace").count("Traceback")

    def describe_logs(self):
        return "\n".join(f"--- last lines of {name} ---\n{text}" for name, text in self.log_tails.items())

    def errors_in_logs(self):
        """The processes that logged a traceback, with how many."""
        return {name: count for name, count in self.tracebacks.items() if count}

    def report(self):
        drive_seconds = self.timings.get("learners") or 1
        traffic = self.traffic
        lines = [
            f"Scale-out run: {self.learners} learners, {self.concurrency} at a time, "
            f"{self.double_clickers} double-clicked submissions; 2 gunicorn x {self.web_workers} workers, "
            "2 db_worker processes, one PostgreSQL database",
            "cache: "
            + (
                f"Redis {self.redis_url}" if self.redis_url else "locmemcache:// (no Redis given: not shared)"
            ),
            "CPU seconds: " + ", ".join(f"{name} {seconds}" for name, seconds in self.cpu.items()),
            "seconds: " + ", ".join(f"{name} {seconds}" for name, seconds in self.timings.items()),
            f"requests: {traffic.requests} ({traffic.requests / drive_seconds:.1f}/s while learning); "
            + ", ".join(f"port {port}: {count}" for port, count in sorted(traffic.by_port.items())),
            "statuses: "
            + ", ".join(f"{status}: {count}" for status, count in sorted(traffic.statuses.items())),
            f"passed: {len(traffic.passed)}; learner errors: {len(traffic.learner_errors)}; "
            f"5xx: {len(traffic.server_errors)}; connection errors: {len(traffic.connection_errors)}",
        ]
        if self.facts:
            lines.append(
                f"queue drained in {self.facts['waited_seconds']} s after the last learner; jobs: "
                f"{self.facts['tasks_by_path']} {self.facts['task_statuses']}; reference index jobs by "
                f"model: {self.facts['reference_index_jobs_by_model']}"
            )
        return "\n".join(lines)


def problems(run):
    """Everything that went wrong in a finished run, in words (the test asserts each separately)."""
    found = []
    traffic, facts = run.traffic, run.facts
    found += [f"learner: {e}" for e in traffic.learner_errors[:10]]
    found += [f"5xx: {e}" for e in traffic.server_errors[:10]]
    found += [f"connection: {e}" for e in traffic.connection_errors[:10]]
    if len(traffic.passed) != run.learners:
        found.append(f"{len(traffic.passed)} of {run.learners} learners passed")
    for email in run.plan.get("learners", []):
        certificates = facts.get("learners", {}).get(email, {}).get("certificates", [])
        if [c["status"] for c in certificates] != ["valid"]:
            found.append(f"{email} has certificates {[c['status'] for c in certificates]}, not one valid")
    for certificate in facts.get("certificates", []):
        if certificate["pdf_head"] != "%PDF-":
            found.append(f"certificate {certificate['code']} has no stored PDF ({certificate['pdf']!r})")
    if facts.get("task_failures"):
        found.append(f"task failures: {facts['task_failures'][:3]}")
    if set(facts.get("task_statuses", {})) - {"SUCCESSFUL"}:
        found.append(f"jobs not successful: {facts['task_statuses']}")
    if run.errors_in_logs():
        found.append(f"tracebacks in the logs: {run.errors_in_logs()}")
    if any(not traffic.by_port[port] for port in run.ports):
        found.append(f"a gunicorn process served nothing: {dict(traffic.by_port)}")
    return found


def main(argv):
    command, *args = argv or ["run"]
    if command == "prepare":
        prepare(int(args[0]), args[1])
    elif command == "facts":
        facts(args[0], int(args[1]))
    elif command == "run":
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url.startswith(("postgres://", "postgresql://")):
            raise SystemExit(
                "Set DATABASE_URL to a PostgreSQL server (a database is created and dropped on it)."
            )
        run = Run(
            database_url,
            learners=int(args[0]) if args else 200,
            redis_url=os.environ.get("SCALE_OUT_REDIS_URL", ""),
        ).execute()
        print(run.report())
        found = problems(run)
        for problem in found:
            print("PROBLEM:", problem)
        if found:
            print(run.describe_logs())
        return 1 if found else 0
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

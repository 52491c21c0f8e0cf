"""Quiz half of scripts/benchmark.sh: a real quiz submission, graded, a fresh attempt each time.

A submitted attempt cannot be graded again (a second POST only redirects to its result), so every
request must post a different attempt. This prepares learners who have finished every lesson of
the demo module, each with an open attempt drawn as quizzes.services.start_attempt draws it, a
session (as login stores it, without the login form) and a CSRF cookie and token; wrk's Lua script
(LUA below) posts each one once, with the answers built from the paper kept on the server (the
page never shows the key, so nothing is read from it).

Called by scripts/benchmark.sh with production settings (the sessions must be signed with the
SECRET_KEY gunicorn uses):

    benchmark_quiz.py queries DIR LABEL      queries of one passing and one failing submission,
                                             in process, into DIR/quiz-queries.json under LABEL
    benchmark_quiz.py measure DIR BASE PID   check one submission over HTTP, probe the rate,
                                             prepare enough attempts, measure with wrk, then check
                                             the database; DIR/quiz.json, wrk-quiz.txt, load-quiz.json
"""

import http.client
import json
import math
import os
import random
import re
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import benchmark  # scripts/benchmark.py
from benchmark import WARMUP, WRK_CONNECTIONS, WRK_THREADS, note_served, setup_django

EMAIL = "bench-quiz-{label}-{i:05d}@example.com"
PASS_EVERY = 5  # every fifth learner answers wrongly and fails; the rest pass (about 80%, as in
# generate_load_data)
PROBE_COUNT, PROBE_SECONDS = 1500, 2
HEADROOM, MARGIN = 1.5, 100  # attempts prepared: rate x seconds x HEADROOM + MARGIN
RESULT = re.compile(r"/result/\d+/$")

# One line of the tuples file per prepared attempt: cookie, CSRF token, path, answers (tab-separated).
# Each wrk thread takes every THREADS-th line from its own offset and posts each line once; out of
# lines, it asks for a page that does not exist, so running out shows as non-2xx answers and in
# the count printed at the end. Only a 302 to the attempt's result page counts as good.
LUA = r"""
local threads, made = {}, 0

function setup(thread)
  thread:set("id", made)
  made = made + 1
  table.insert(threads, thread)
end

function init(args)
  local file, count = args[1], tonumber(args[2])
  posts, next_post, good, bad, ran_out, statuses = {}, 1, 0, 0, 0, {}
  local n = 0
  for line in io.lines(file) do
    if n % count == id then
      local cookie, token, path, answers = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
      table.insert(posts, wrk.format("POST", path, {
        ["Cookie"] = cookie,
        ["Content-Type"] = "application/x-www-form-urlencoded",
      }, "csrfmiddlewaretoken=" .. token .. "&" .. answers))
    end
    n = n + 1
  end
  missing = wrk.format("GET", "/bench-quiz-ran-out-of-prepared-attempts/")
end

function request()
  local post = posts[next_post]
  if post == nil then
    ran_out = ran_out + 1
    return missing
  end
  next_post = next_post + 1
  return post
end

function response(status, headers, body)
  local location = headers["Location"]
  if status == 302 and location and location:match("/result/%d+/$") then
    good = good + 1
  else
    bad = bad + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local good, bad, ran_out, posted, statuses = 0, 0, 0, 0, {}
  for _, thread in ipairs(threads) do
    good = good + thread:get("good")
    bad = bad + thread:get("bad")
    ran_out = ran_out + thread:get("ran_out")
    posted = posted + thread:get("next_post") - 1
    for status, n in pairs(thread:get("statuses")) do
      statuses[status] = (statuses[status] or 0) + n
    end
  end
  io.write(string.format("quiz submissions: good %d, bad %d, ran out %d, posted %d\n",
                         good, bad, ran_out, posted))
  for status, n in pairs(statuses) do
    io.write(string.format("quiz other answers: %d x %d\n", n, status))
  end
end
"""


# --- preparing attempts -----------------------------------------------------------------------


def prepare(count, label):
    """``count`` learners, each with a finished set of lessons, an open attempt, a session and a
    CSRF secret; bulk_create, so thousands take seconds. Returns one dict per attempt."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from courses.models import Enrolment, LessonProgress
    from quizzes.grading import draw_questions, paper_entry
    from quizzes.models import Attempt
    from users import roles

    User = get_user_model()
    module = benchmark.demo_module()
    quiz, lessons = module.quiz, module.lessons
    pool = list(quiz.question_pool())
    rng = random.SystemRandom()  # as start_attempt draws
    now = timezone.now()
    begun = now - timedelta(days=1)
    unusable = make_password(None)
    emails = [EMAIL.format(label=label, i=i) for i in range(count)]
    with transaction.atomic():
        User.objects.bulk_create(
            [
                User(
                    email=email,
                    password=unusable,
                    first_name="Quiz",
                    last_name=f"Learner {i}",
                    certificate_name=f"Quiz Learner {i}",
                    date_joined=begun - timedelta(days=1),
                )
                for i, email in enumerate(emails)
            ],
            batch_size=1000,
        )
        users = list(User.objects.filter(email__in=emails).order_by("email"))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users], batch_size=1000
        )
        enrolments = Enrolment.objects.bulk_create(
            [
                Enrolment(learner=u, module=module, source=Enrolment.Source.STAFF, started_at=begun)
                for u in users
            ],
            batch_size=1000,
        )
        LessonProgress.objects.bulk_create(
            [
                LessonProgress(
                    enrolment=enrolment,
                    lesson=lesson,
                    first_opened_at=begun + timedelta(minutes=15 * n),
                    last_opened_at=begun + timedelta(minutes=15 * n + 10),
                    content_note_seen_at=begun + timedelta(minutes=15 * n) if lesson.sensitive else None,
                    completed_at=begun + timedelta(minutes=15 * n + 10),
                    time_spent=timedelta(minutes=10),
                )
                for enrolment in enrolments
                for n, lesson in enumerate(lessons)
            ],
            batch_size=1000,
        )
        attempts = Attempt.objects.bulk_create(
            [
                Attempt(
                    enrolment=enrolment,
                    quiz=quiz,
                    number=1,
                    paper=[
                        paper_entry(q, rng) for q in draw_questions(pool, quiz.questions_per_attempt, rng)
                    ],
                    started_at=now - timedelta(minutes=5),
                )
                for enrolment in enrolments
            ],
            batch_size=1000,
        )
        # What django.contrib.auth.login stores, plus what users.roles keeps
        # (kept for five minutes), as the attempt page just before the submission would leave it.
        store = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"]).SessionStore()
        backend = settings.AUTHENTICATION_BACKENDS[0]
        sessions, prepared = [], []
        for i, (user, attempt) in enumerate(zip(users, attempts, strict=True)):
            key = get_random_string(32, VALID_KEY_CHARS)
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: backend,
                HASH_SESSION_KEY: user.get_session_auth_hash(),
                # users.roles.decide's answer for a learner made here, without its queries
                roles.SESSION_KEY: {
                    "user": user.pk,
                    "decided_at": int(time.time()),
                    "admin_access": False,
                    "mfa_required": False,
                    "providers": [],
                },
            }
            sessions.append(
                Session(
                    session_key=key,
                    session_data=store.encode(data),
                    expire_date=now + timedelta(seconds=settings.SESSION_COOKIE_AGE),
                )
            )
            secret = _get_new_csrf_string()
            passes = i % PASS_EVERY != PASS_EVERY - 1
            prepared.append(
                {
                    "attempt": attempt.pk,
                    "passes": passes,
                    "cookie": f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={secret}",
                    "session": key,
                    "csrf_secret": secret,
                    "token": _mask_cipher_secret(secret),
                    "path": quiz.url + quiz.reverse_subpage("attempt", args=[attempt.number]),
                    "answers": answers(attempt.paper, right=passes),
                }
            )
        Session.objects.bulk_create(sessions, batch_size=1000)
    return prepared


def answers(paper, right):
    """The form fields a learner sends: every question answered, rightly or wrongly (from the
    paper on the server; the page has no key)."""
    fields = []
    for position, entry in enumerate(paper):
        keys = [o["key"] for o in entry["options"] if o["correct"] == right]
        if entry["kind"] != "multiple":
            keys = keys[:1]
        fields += [(f"q{position}", key) for key in keys]
    return fields


def write_tuples(prepared, path):
    with Path(path).open("w") as out:
        for item in prepared:
            out.write(f"{item['cookie']}\t{item['token']}\t{item['path']}\t{urlencode(item['answers'])}\n")
    return path


# --- queries ----------------------------------------------------------------------------------


def queries(results_dir, label):
    """One warm-up submission, then a passing and a failing one, each counted; CSRF enforced."""
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    prepared = prepare(PASS_EVERY, f"queries-{label}")  # the last one fails
    counted = {}
    for name, item in (("warm-up", prepared[0]), ("pass", prepared[1]), ("fail", prepared[-1])):
        client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
        client.cookies[settings.SESSION_COOKIE_NAME] = item["session"]
        client.cookies[settings.CSRF_COOKIE_NAME] = item["csrf_secret"]
        data = {"csrfmiddlewaretoken": item["token"]}
        for field, key in item["answers"]:
            data.setdefault(field, []).append(key)
        with CaptureQueriesContext(connection) as captured:
            response = client.post(item["path"], data)
        if response.status_code != 302 or not RESULT.search(response["Location"]):
            sys.exit(
                f"The in-process quiz submission ({name}) answered {response.status_code}, not a redirect."
            )
        counted[name] = len(captured)
    out = Path(results_dir, "quiz-queries.json")
    results = json.loads(out.read_text()) if out.exists() else {}
    results[label] = {"pass": counted["pass"], "fail": counted["fail"]}
    out.write_text(json.dumps(results, indent=2))
    print(f"  {label:<7} quiz submit: {counted['pass']} queries for a pass, {counted['fail']} for a fail")


# --- over HTTP --------------------------------------------------------------------------------


def send(base_url, method, path, headers, body=None):
    parts = urlsplit(base_url)
    if parts.hostname != "127.0.0.1":
        sys.exit(f"The benchmark only talks to 127.0.0.1, not {base_url}.")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Location", ""), response.read().decode(errors="replace")
    finally:
        connection.close()


def check_submission(base_url, results_dir):
    """Post one passing and one failing prepared attempt as a browser would, follow the redirect,
    and check the result pages and the database: what a learner gets, before anything is timed."""
    from certificates.models import Certificate
    from quizzes.models import Attempt, Response

    prepared = prepare(PASS_EVERY, "check")
    found = {}
    for item in (prepared[0], prepared[-1]):
        status, location, _body = send(
            base_url,
            "POST",
            item["path"],
            {"Cookie": item["cookie"], "Content-Type": "application/x-www-form-urlencoded"},
            urlencode([("csrfmiddlewaretoken", item["token"]), *item["answers"]]),
        )
        expected = item["path"].replace("/attempt/", "/result/")
        if status != 302 or location != expected:
            sys.exit(f"The quiz submission answered {status} {location!r}, not 302 to {expected}.")
        status, _location, page = send(base_url, "GET", location, {"Cookie": item["cookie"]})
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
        heading = re.sub(r"\s+", " ", heading.group(1)).strip() if heading else ""
        want = "you passed" if item["passes"] else "not passed this time"
        if status != 200 or want not in heading:
            sys.exit(f"The result page answered {status} with the heading {heading!r}, not {want!r}.")
        attempt = Attempt.objects.get(pk=item["attempt"])
        responses = Response.objects.filter(attempt=attempt).count()
        certificate = Certificate.objects.filter(attempt=attempt).exists()
        if (
            not attempt.is_submitted
            or attempt.passed is not item["passes"]
            or responses != len(attempt.paper)
            or certificate is not item["passes"]
        ):
            sys.exit(
                f"Attempt {attempt.pk} after the submission: {attempt.status}, passed {attempt.passed}, "
                f"{responses} responses for {len(attempt.paper)} questions, certificate {certificate}."
            )
        found[item["passes"]] = (location, heading, responses, certificate)
    note_served(results_dir, "quiz check", 4)
    location, heading, responses, certificate = found[True]
    print(f"   one submission: 302 to {location}, '{heading}', {responses} responses, certificate issued")
    return {
        "status": 302,
        "location": location,
        "heading": heading,
        "responses": responses,
        "certificate": certificate,
        "fail_heading": found[False][1],
    }


def submissions(output):
    match = re.search(r"quiz submissions: good (\d+), bad (\d+), ran out (\d+), posted (\d+)", output)
    if not match:
        sys.exit("wrk's quiz script printed no count:\n" + output)
    counted = dict(zip(("good", "bad", "ran_out", "posted"), map(int, match.groups()), strict=True))
    others = re.findall(r"quiz other answers: (\d+) x (\d+)", output)
    counted["other_statuses"] = {status: int(n) for n, status in sorted(others, key=lambda x: x[1])}
    return counted


def measure(results_dir, base_url, master_pid):
    setup_django()
    from django.db.models import Count

    from certificates.models import Certificate
    from quizzes.models import Attempt

    results_dir, master_pid = Path(results_dir), int(master_pid)
    script = results_dir / "quiz.lua"
    script.write_text(LUA)
    url = base_url + "/"  # the Lua script gives each request its own path
    check = check_submission(base_url, results_dir)

    before = benchmark.wait_for_quiet(master_pid)
    probe_file = write_tuples(prepare(PROBE_COUNT, "probe"), results_dir / "quiz-probe.tsv")
    output = benchmark.wrk(url, f"{PROBE_SECONDS}s", script=script, script_args=(probe_file, WRK_THREADS))
    probe = submissions(output)
    note_served(results_dir, "quiz probe", benchmark.parse_wrk(output)["requests"])
    rate = probe["good"] / PROBE_SECONDS
    if probe["ran_out"]:
        rate = max(rate, PROBE_COUNT / PROBE_SECONDS) * 2
    print(f"   probe: {probe['good']} submissions in {PROBE_SECONDS} s ({rate:,.1f} per second)")

    duration = benchmark.seconds_of(os.environ.get("BENCH_DURATION", "15s"))
    warmup = benchmark.seconds_of(WARMUP)
    prepared = PROBE_COUNT + 2 * PASS_EVERY
    for round_ in range(1, 3):
        warm_count = math.ceil(rate * warmup * HEADROOM) + MARGIN
        measured_count = math.ceil(rate * duration * HEADROOM) + MARGIN
        prepared += warm_count + measured_count
        started = time.monotonic()
        warm_file = write_tuples(prepare(warm_count, f"warm{round_}"), results_dir / f"quiz-warm{round_}.tsv")
        measured_file = write_tuples(
            prepare(measured_count, f"measured{round_}"), results_dir / f"quiz-measured{round_}.tsv"
        )
        print(
            f"   prepared {warm_count:,} + {measured_count:,} attempts in {time.monotonic() - started:.1f} s"
        )
        output, load = benchmark.measure_page(
            results_dir,
            "quiz",
            url,
            master_pid,
            script=script,
            warmup_args=(warm_file, WRK_THREADS),
            measured_args=(measured_file, WRK_THREADS),
            wait=False,
        )
        counted = submissions(output)
        if not counted["ran_out"]:
            break
        print(f"   ran out of prepared attempts ({counted['ran_out']} requests too many): again, with more")
        rate = max(rate, counted["posted"] / duration) * 2
    else:
        sys.exit("wrk ran out of prepared quiz attempts twice; the quiz figure would be wrong.")
    load["before"] = before
    (results_dir / "load-quiz.json").write_text(json.dumps(load))

    run = benchmark.parse_wrk(output)
    attempts = Attempt.objects.filter(enrolment__learner__email__startswith=f"bench-quiz-measured{round_}-")
    submitted = attempts.filter(status=Attempt.Status.SUBMITTED).annotate(graded=Count("responses"))
    rows = list(submitted.values_list("pk", "passed", "graded", "paper"))
    ungraded = [pk for pk, _passed, graded, paper in rows if graded != len(paper)]
    passed = [pk for pk, was_passed, _graded, _paper in rows if was_passed]
    certified = Certificate.objects.filter(attempt_id__in=passed).count()
    if not counted["good"] <= len(rows) <= counted["good"] + counted["bad"] + WRK_CONNECTIONS:
        sys.exit(
            f"{len(rows)} attempts were submitted for {counted['good']} good answers and "
            f"{counted['bad']} others: the count does not add up."
        )
    if ungraded or certified != len(passed):
        sys.exit(
            f"{len(ungraded)} submitted attempts lack their graded responses; {certified} certificates "
            f"for {len(passed)} passes."
        )
    log = results_dir / "gunicorn.log"
    locked = (
        log.read_text(errors="replace").count("django.db.utils.OperationalError: database is locked")
        if log.exists()
        else 0
    )
    result = {
        **counted,
        "database_locked": locked,
        "rps": counted["good"] / run["seconds"],
        "seconds": run["seconds"],
        "prepared": prepared,
        "probe_rps": probe["good"] / PROBE_SECONDS,
        "probe_seconds": PROBE_SECONDS,
        "warmup_prepared": warm_count,
        "measured_prepared": measured_count,
        "submitted": len(rows),
        "passed": len(passed),
        "failed": len(rows) - len(passed),
        "pass_share": (PASS_EVERY - 1) / PASS_EVERY,
        "check": check,
        "path_shape": re.sub(r"/result/\d+/$", "/attempt/<number>/", check["location"]),
    }
    (results_dir / "quiz.json").write_text(json.dumps(result, indent=2))
    print(
        f"   counted {counted['good']:,} submissions ({result['rps']:,.1f} per second), "
        f"{counted['bad']} other answers; {len(rows):,} attempts submitted in the database, "
        f"{len(passed):,} passed"
    )


def main(argv):
    command, *args = argv
    if command == "queries":
        queries(*args)
    elif command == "measure":
        measure(*args)
    else:
        sys.exit(f"Unknown command {command!r}; see the docstring of {__file__}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

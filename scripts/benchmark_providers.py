"""Providers half of scripts/benchmark.sh: the training record of generate_load_data's large
provider (2,000 staff at its default volume), and Stripe webhook events per second on PostgreSQL.
Prints the "Providers" section of docs/benchmarks.md.

Called by scripts/benchmark.sh with the environment it sets up (see benchmark.py's docstring):

    benchmark_providers.py generated PROVIDERS_ENV     the large generated provider (measured) and
                                                       one of about 20 staff (query counts); their
                                                       owners get an authenticator app
    benchmark_providers.py cookie                      print a Cookie header for the large one's owner
    benchmark_providers.py queries PROVIDERS_ENV OUT   queries of the training record at both sizes
    benchmark_providers.py export DIR URL HEADER       time the CSV export over HTTP
    benchmark_providers.py webhooks DIR BASE_URL PID   N signed checkout.session.completed events,
                                                       then the same N again (PostgreSQL only)
    benchmark_providers.py report DIR                  print the Markdown section
"""

import http.client
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import benchmark  # scripts/benchmark.py: setup_django, parse_wrk, the quiet-machine helpers
from benchmark import (
    QUIET,
    note_served,
    others_share,
    parse_wrk,
    process_tree_seconds,
    setup_django,
    write_env,
)

SMALL_SIZE = 20  # the other provider whose training record's queries are counted: about this many staff
WEBHOOK_EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "1000"))
WEBHOOK_CLIENTS = int(os.environ.get("BENCH_WEBHOOK_CLIENTS", "4"))


# --- data -------------------------------------------------------------------------------------


def generated(providers_env):
    """The providers manage.py generate_load_data made: its large network, whose training record
    is measured, and the one closest to SMALL_SIZE staff, for the query count at a second size.
    Their owners get an authenticator app, as production requires of everyone who manages staff
    (users.middleware), so the record opens without the set-up redirect."""
    setup_django()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import is_mfa_enabled
    from django.db.models import Count, Q
    from django.urls import reverse

    from cms.management.commands.generate_load_data import DOMAIN, LARGE_PROVIDER
    from providers import compliance
    from providers.models import Membership, Provider

    role = Membership.Role
    providers = list(
        Provider.objects.filter(billing_email__iendswith=f"@{DOMAIN}").annotate(
            staff=Count("memberships", filter=Q(memberships__role=role.LEARNER)),
            managers=Count("memberships", filter=Q(memberships__role=role.MANAGER)),
        )
    )
    big = next((p for p in providers if p.name == LARGE_PROVIDER), None)
    others = [p for p in providers if p is not big and p.staff]
    if big is None or not others:
        sys.exit(
            f"No {LARGE_PROVIDER} and other providers with staff: run manage.py generate_load_data first."
        )
    small = min(others, key=lambda p: (abs(p.staff - SMALL_SIZE), p.pk))
    values = {}
    for prefix, provider in (("PROVIDER", big), ("PROVIDER_SMALL", small)):
        owner = Membership.objects.select_related("user").get(provider=provider, role=role.OWNER).user
        if not is_mfa_enabled(owner, [Authenticator.Type.TOTP]):
            TOTP.activate(owner, generate_totp_secret())
        rows = compliance.summary(compliance.staff_rows(provider)).total
        values |= {
            f"{prefix}_NAME": provider.name,
            f"{prefix}_OWNER": owner.email,
            f"{prefix}_STAFF": provider.staff,
            f"{prefix}_MANAGERS": provider.managers,
            f"{prefix}_URL": reverse("providers:dashboard", args=[provider.pk]),
            f"{prefix}_ROWS": rows,
        }
        print(f"{provider.name}: {provider.staff} staff, {provider.managers} managers, {rows} rows")
    values["PROVIDER_CSV_URL"] = reverse("providers:staff_csv", args=[big.pk])
    # What the page must say before it is measured (its summary's accessible name).
    values["PROVIDER_MUST_SHOW"] = f"Staff by training status, {values['PROVIDER_ROWS']} in all"
    write_env(providers_env, values)


# --- session and query counts -----------------------------------------------------------------


def owner_client(email):
    from django.contrib.auth import get_user_model

    return benchmark.signed_in_client(get_user_model().objects.get(email=email))


def cookie(providers_env):
    """A Cookie header for the measured provider's owner, made as login would, without the form."""
    setup_django()
    print(benchmark.cookie_header(owner_client(benchmark.read_env_file(providers_env)["PROVIDER_OWNER"])))


def queries(providers_env, out):
    """The training record's queries at both sizes, served from the cache (a second request) and
    worked out (after its record version is renewed, as a change does); its summary counts; and,
    in process, the time to work out the large provider's record against the trivial view's."""
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from providers import compliance, record_cache
    from providers.models import Provider

    pages = benchmark.read_env_file(providers_env)
    results = {}
    for label, prefix in (("big", "PROVIDER"), ("small", "PROVIDER_SMALL")):
        name, url = pages[f"{prefix}_NAME"], pages[f"{prefix}_URL"]
        provider = Provider.objects.get(name=name)
        client = owner_client(pages[f"{prefix}_OWNER"])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        record_cache.renew_record_versions([provider.pk])
        with CaptureQueriesContext(connection) as worked_out:
            fresh = client.get(url)
        if response.status_code != 200 or fresh.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}, then {fresh.status_code}, to the query count.")
        rows = compliance.staff_rows(provider)
        results[label] = {
            "count": len(captured),
            "worked_out_count": len(worked_out),
            "rows": len(rows),
            "summary": {
                compliance.STATUS_LABELS[key]: n for key, n in compliance.summary(rows).counts.items()
            },
        }
        print(
            f"  training record, {name}: {len(rows)} rows, {len(captured)} queries from the cache, "
            f"{len(worked_out)} worked out"
        )
        if label == "big":
            results["in_process_ms"] = in_process_times(client, url, provider)
            print("  in process (ms, median): " + json.dumps(results["in_process_ms"]))
    Path(out).write_text(json.dumps(results, indent=2))


def in_process_times(client, url, provider, runs=15):
    """Median milliseconds of one request in this process (Django's test client): the trivial
    view, the training record from the cache, and the record worked out again."""
    from providers import record_cache

    def median_ms(request, before=None, n=runs):
        times = []
        for _ in range(n):
            if before:
                before()
            started = time.perf_counter()
            request()
            times.append(1000 * (time.perf_counter() - started))
        return statistics.median(times)

    return {
        "healthz": median_ms(lambda: client.get("/healthz/"), n=10 * runs),
        "cached": median_ms(lambda: client.get(url), n=10 * runs),
        "worked_out": median_ms(
            lambda: client.get(url), before=lambda: record_cache.renew_record_versions([provider.pk])
        ),
    }


# --- the CSV export ---------------------------------------------------------------------------


def export(results_dir, url, header):
    """One warm-up request, then three timed ones; the median and the size go in export.json."""
    name, _, value = header.partition(": ")
    samples = []
    for attempt in range(4):
        started = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(url, headers={name: value}), timeout=60) as answer:  # noqa: S310
            body = answer.read()
            status = answer.status
        elapsed = time.perf_counter() - started
        if status != 200 or not body.startswith("\ufeffName,Email".encode()):
            sys.exit(f"The CSV export ({url}) answered {status} without the CSV header.")
        if attempt:
            samples.append(elapsed * 1000)
    note_served(results_dir, "CSV export", 4)
    lines = body.decode("utf-8-sig").count("\n")
    result = {
        "median_ms": statistics.median(samples),
        "samples_ms": samples,
        "bytes": len(body),
        "lines": lines,
    }
    Path(results_dir, "providers-export.json").write_text(json.dumps(result))
    print(f"   CSV export: {result['median_ms']:.0f} ms median of 3, {len(body):,} bytes, {lines} lines")


# --- webhooks ---------------------------------------------------------------------------------


def postgres_cpu(database):
    """CPU seconds of each PostgreSQL backend serving ``database`` (their process titles name it),
    by pid: the server is shared with other work, whose backends are left out."""
    seconds = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            title = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            pid, rest = stat.read_text().split(" (", 1)
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            fields = rest.rsplit(") ", 1)[1].split()
            seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def cpu_used(before, after):
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def fire(base_url, requests, clients):
    """Send ``requests`` ((method, path, body, headers) tuples) from ``clients`` threads, one
    connection per request (gunicorn's sync workers close it). Returns the answers in request
    order as (status, body, seconds) and the wall-clock seconds for all of them."""
    parts = urlsplit(base_url)
    answers = [None] * len(requests)
    position = iter(range(len(requests)))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                return
            method, path, body, headers = requests[index]
            started = time.perf_counter()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                answers[index] = (response.status, response.read().decode(errors="replace"), 0.0)
            except OSError as error:
                answers[index] = (0, f"{type(error).__name__}: {error}", 0.0)
            finally:
                connection.close()
            answers[index] = (*answers[index][:2], time.perf_counter() - started)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, time.perf_counter() - started


def timed_fire(base_url, requests, clients, gunicorn_pid):
    """fire(), with the CPU time of gunicorn, PostgreSQL, this client and everything else."""
    from django.conf import settings

    database = settings.DATABASES["default"]["NAME"]
    busy, ours, pg = benchmark.cpu_busy_seconds(), process_tree_seconds(gunicorn_pid), postgres_cpu(database)
    mine = time.process_time()
    answers, seconds = fire(base_url, requests, clients)
    busy = benchmark.cpu_busy_seconds() - busy
    ours = process_tree_seconds(gunicorn_pid) - ours
    pg = cpu_used(pg, postgres_cpu(database))
    mine = time.process_time() - mine
    share = seconds * os.cpu_count()
    latencies = sorted(answer[2] for answer in answers)
    run = {
        "count": len(requests),
        "seconds": seconds,
        "per_second": len(requests) / seconds,
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "gunicorn_cpu_share": ours / share,
        "postgres_cpu_share": pg / share,
        "client_cpu_share": mine / share,
        "other_cpu_share": max(0.0, busy - ours - pg - mine) / share,
        "gunicorn_cpu_ms": 1000 * ours / len(requests),
    }
    return answers, run


def expect(answers, status, body, what):
    wrong = [(i, answer[:2]) for i, answer in enumerate(answers) if answer[:2] != (status, body)]
    if wrong:
        sys.exit(
            f"{len(wrong)} of {len(answers)} {what} were not answered {status} {body!r}; the first: "
            + "; ".join(f"#{i}: {got}" for i, got in wrong[:5])
        )


def event_queries(provider, module, owner, stamp):
    """The queries of one first delivery and of its repeat, in process (after the checked run)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from providers import services
    from providers.models import SeatOrder
    from tests.providers.stripe_events import checkout_session, event, signed

    order = services.place_order(provider, module, 5, method=SeatOrder.Method.CARD, placed_by=owner)
    order = SeatOrder.objects.select_related("provider", "placed_by").get(pk=order.pk)
    payload = json.dumps(
        event("checkout.session.completed", checkout_session(order), event_id=f"evt_bench_{stamp}_query")
    )
    client, counts = Client(HTTP_HOST="127.0.0.1"), {}
    for label, outcome in (("first", b"fulfilled"), ("repeat", b"already received")):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                "/stripe/webhook/",
                data=payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=signed(payload, settings.STRIPE_WEBHOOK_SECRET),
            )
        if (response.status_code, response.content) != (200, outcome):
            sys.exit(f"The in-process {label} delivery answered {response.status_code} {response.content!r}.")
        counts[label] = len(captured)
    return counts


def webhooks(results_dir, base_url, gunicorn_pid):
    """N pending card orders, N signed checkout.session.completed events for them from a few client
    threads, then the same N again; then check every order was paid exactly once."""
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from wagtail.models import ModelLogEntry

    from providers import services
    from providers.models import DocumentSequence, SeatOrder, StripeEvent
    from tests.providers.stripe_events import checkout_session, event, signed

    gunicorn_pid, count, clients = int(gunicorn_pid), WEBHOOK_EVENTS, WEBHOOK_CLIENTS
    if connection.vendor != "postgresql":
        sys.exit("The webhook benchmark runs on PostgreSQL only (set BENCH_POSTGRES_URL).")
    if not (settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET):
        sys.exit("The webhook benchmark needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET.")
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    module = benchmark.demo_module()
    owner = get_user_model().objects.create_user(
        email=f"bench-webhook-{stamp}@example.com", password=None, certificate_name="Webhook Bench"
    )
    provider = services.create_provider(
        owner=owner,
        name=f"Webhook bench {stamp}",
        kind="nursery",
        billing_name="Webhook Bench",
        billing_email=owner.email,
    )
    started = time.perf_counter()
    orders = [
        services.place_order(provider, module, 1 + i % 25, method=SeatOrder.Method.CARD, placed_by=owner)
        for i in range(count)
    ]
    for i, order in enumerate(orders):  # as create_checkout_session would have remembered them
        order.stripe_checkout_session_id = f"cs_bench_{stamp}_{i:05d}"
    SeatOrder.objects.bulk_update(orders, ["stripe_checkout_session_id"], batch_size=500)
    orders = list(SeatOrder.objects.filter(provider=provider).select_related("provider", "placed_by"))
    print(f"   {count} pending card orders in {time.perf_counter() - started:.1f} s")
    payloads, intents = [], {}
    for i, order in enumerate(sorted(orders, key=lambda o: o.pk)):
        intents[order.pk] = f"pi_bench_{stamp}_{i:05d}"
        session = checkout_session(order, payment_intent=intents[order.pk])
        payloads.append(
            json.dumps(event("checkout.session.completed", session, event_id=f"evt_bench_{stamp}_{i:05d}"))
        )

    def posts(secret=settings.STRIPE_WEBHOOK_SECRET):
        return [
            (
                "POST",
                "/stripe/webhook/",
                payload,
                {"Content-Type": "application/json", "Stripe-Signature": signed(payload, secret)},
            )
            for payload in payloads
        ]

    events_before = StripeEvent.objects.count()
    sequence = (
        DocumentSequence.objects.filter(name="invoice").values_list("last_number", flat=True).first() or 0
    )
    healthz = [("GET", "/healthz/", None, {})] * count
    # Warm-up: both workers import and connect; a wrong signature is refused and records nothing.
    warm, _ = fire(base_url, healthz[:20] + posts("whsec_wrong")[:8], clients)
    if [a[0] for a in warm] != [200] * 20 + [400] * 8:
        sys.exit(f"Warm-up answers were not 20 x 200 then 8 x 400: {[a[:2] for a in warm]}")

    wait = int(os.environ.get("BENCH_QUIET_WAIT", "300"))
    deadline = time.monotonic() + wait
    share = others_share(root_pid=gunicorn_pid)
    while share > QUIET and time.monotonic() < deadline:
        print(f"   other processes use {share:.0%} of the CPUs; waiting for a quieter machine")
        time.sleep(5)
        share = others_share(root_pid=gunicorn_pid)
    answers, baseline = timed_fire(base_url, healthz, clients, gunicorn_pid)
    expect(answers, 200, "ok", "GET /healthz/ requests")
    answers, first = timed_fire(base_url, posts(), clients, gunicorn_pid)
    expect(answers, 200, "fulfilled", "first deliveries")
    answers, repeats = timed_fire(base_url, posts(), clients, gunicorn_pid)
    expect(answers, 200, "already received", "repeat deliveries")

    # Every order paid exactly once, by its own event.
    problems = []
    paid = SeatOrder.objects.filter(provider=provider)
    if paid.exclude(status=SeatOrder.Status.PAID).exists() or paid.filter(paid_at__isnull=True).exists():
        problems.append(f"{paid.exclude(status=SeatOrder.Status.PAID).count()} orders not paid")
    wrong_intent = [o.pk for o in paid if o.stripe_payment_intent_id != intents[o.pk]]
    if wrong_intent:
        problems.append(f"{len(wrong_intent)} orders without their own payment intent")
    numbers = [n for n in paid.values_list("invoice_number", flat=True) if n]
    if len(numbers) != count or len(set(numbers)) != count:
        problems.append(f"{len(set(numbers))} distinct receipt numbers for {count} orders")
    ids = [str(pk) for pk in intents]
    paid_logs = ModelLogEntry.objects.filter(action="providers.order_paid", object_id__in=ids)
    if paid_logs.count() != count or paid_logs.values("object_id").distinct().count() != count:
        problems.append(f"{paid_logs.count()} 'order paid' log entries for {count} orders")
    events = StripeEvent.objects.filter(event_id__startswith=f"evt_bench_{stamp}_")
    if events.count() != count or StripeEvent.objects.count() - events_before != count:
        problems.append(f"{events.count()} StripeEvent rows for {count} events")
    if events.exclude(outcome="fulfilled").exists() or events.filter(order__isnull=True).exists():
        problems.append("some StripeEvent rows are not 'fulfilled' with their order")
    new_sequence = DocumentSequence.objects.get(name="invoice").last_number
    if new_sequence - sequence != count:
        problems.append(f"the receipt sequence moved by {new_sequence - sequence}, not {count}")
    if problems:
        sys.exit("Webhook benchmark check failed: " + "; ".join(problems) + ".")
    per_event = event_queries(provider, module, owner, stamp)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0].split()[0]
    result = {
        "events": count,
        "clients": clients,
        "postgres": server,
        "quiet_before": share,
        "queries": per_event,
        "baseline": baseline,
        "first": first,
        "repeats": repeats,
    }
    Path(results_dir, "providers-webhooks.json").write_text(json.dumps(result, indent=2))
    for label, run in (("GET /healthz/", baseline), ("first deliveries", first), ("repeats", repeats)):
        print(
            f"   {label}: {run['per_second']:,.1f}/s, p99 {run['p99_ms']:.1f} ms; CPUs: gunicorn "
            f"{run['gunicorn_cpu_share']:.0%}, PostgreSQL {run['postgres_cpu_share']:.0%}, client "
            f"{run['client_cpu_share']:.0%}, other {run['other_cpu_share']:.0%}"
        )
    print(f"   Checked: {count} orders paid once each, {count} StripeEvent rows, {count} receipt numbers.")


# --- report -----------------------------------------------------------------------------------


def report(results_dir):
    results_dir = Path(results_dir)
    pages = benchmark.read_env_file(results_dir / "providers.env")
    counts = json.loads((results_dir / "providers-queries.json").read_text())
    runs = {
        name: parse_wrk((results_dir / f"wrk-{name}.txt").read_text()) for name in ("healthz", "providers")
    }
    loads = {name: json.loads((results_dir / f"load-{name}.json").read_text()) for name in runs}
    cpu_ms = {n: 1000 * loads[n]["gunicorn_cpu_s"] / (runs[n]["rps"] * loads[n]["elapsed_s"]) for n in runs}
    info = benchmark.machine((results_dir / "wrk-version").read_text().split("[")[0].strip() or "wrk")
    wrk_args = (results_dir / "wrk-args").read_text().strip()
    staff_count = int(pages["PROVIDER_STAFF"])
    big, small, timing = counts["big"], counts["small"], counts["in_process_ms"]
    base, page = runs["healthz"], runs["providers"]
    timeouts = page["socket_errors"].get("timeout", 0)
    out = [
        "## Providers",
        "",
        f"Run on {info['date']}, code at {(results_dir / 'code-version').read_text().strip()}; "
        f"{info['nproc']} CPUs ({info['cpu']}), {info['python']}, Linux {info['kernel']}. The figures "
        "come from the same gunicorn processes and the same run as the trivial view beside them. "
        "Rerun with `scripts/benchmark.sh` (the training record and its CSV, on SQLite), and with "
        "`BENCH_POSTGRES_URL=postgres://USER@HOST:PORT/EMPTY_DB scripts/benchmark.sh` for the "
        "webhook figures too (data: `scripts/benchmark_providers.py`).",
        "",
        f"### Training record with {staff_count:,} staff",
        "",
        f"{pages['PROVIDER_NAME']}, the large provider `manage.py generate_load_data` makes, has "
        f"{staff_count:,} staff, {pages['PROVIDER_MANAGERS']} "
        f"manager{'' if pages['PROVIDER_MANAGERS'] == '1' else 's'} and its owner, with seats, "
        "enrolments, lesson progress, quiz attempts and certificates (some expired, superseded or "
        f"revoked), so the page lists {big['rows']:,} rows: "
        + ", ".join(f"{n:,} {label.lower()}" for label, n in big["summary"].items())
        + f". `{pages['PROVIDER_URL']}` is measured as its owner (session cookie; the owner has an "
        "authenticator app, as production requires of managers), first page (50 rows), with "
        f"`{wrk_args}` after a 3 s warm-up, like the pages above.",
        "",
        "| page | requests/s | p99 ms | ratio to the trivial view | gunicorn CPU ms per request | "
        "ratio (CPU-based) | queries |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| Trivial view `/healthz/` (baseline, same run) | {base['rps']:,.1f} | {base['p99_ms']:.1f} | "
        f"100.0% | {cpu_ms['healthz']:.2f} | 100.0% | 0 |",
        f"| Training record, {staff_count:,} staff, from the cache | {page['rps']:,.1f} | "
        f"{benchmark.p99_cell(page)}"
        + (
            f" ({timeouts} timed out at wrk's {benchmark.WRK_TIMEOUT_S} s)"
            if timeouts and not page["p99_at_least"]
            else ""
        )
        + " | "
        f"{page['rps'] / base['rps']:.2%} | {cpu_ms['providers']:.2f} | "
        f"{cpu_ms['healthz'] / cpu_ms['providers']:.2%} | {big['count']} |",
        "",
        f"Queries: {big['count']} with {big['rows']:,} rows, {small['count']} for "
        f"{pages['PROVIDER_SMALL_NAME']} ({small['rows']} rows, generated the same way), "
        + (
            "so the count does not grow with the number of staff."
            if big["count"] == small["count"]
            else "**so the count grows with the number of staff.**"
        )
        + " These are the queries of the page served from the cache.",
        "",
        "The record below the page's heading (summary, seats and the 50 rows) is kept in the cache "
        "until something on it changes (`providers/record_cache.py`), so the wrk figures above are "
        "those of a manager opening the record again with nothing changed in between. After a "
        "change the record is worked out again: every row's status, then the 50 shown. In process "
        "(Django's test client, median of repeated requests), that takes "
        f"{timing['worked_out']:.1f} ms and {big['worked_out_count']} queries "
        f"({small['worked_out_count']} for {pages['PROVIDER_SMALL_NAME']}), against "
        f"{timing['cached']:.2f} ms from the cache and {timing['healthz']:.2f} ms for the trivial "
        f"view: {timing['healthz'] / timing['worked_out']:.1%} of the trivial view measured that "
        "way. That time grows with the staff even though the queries do not.",
        "",
    ]
    export_file = results_dir / "providers-export.json"
    if export_file.exists():
        csv_run = json.loads(export_file.read_text())
        out += [
            f"CSV export of the whole record (`{pages['PROVIDER_CSV_URL']}`, {csv_run['lines'] - 1:,} rows, "
            f"{csv_run['bytes'] / 1024:,.0f} KiB): {csv_run['median_ms']:,.0f} ms for one request "
            f"(median of 3 after one warm-up; "
            + ", ".join(f"{s:,.0f}" for s in csv_run["samples_ms"])
            + " ms).",
            "",
        ]
    load = loads["providers"]
    out += [
        f"CPU use while the record was measured: gunicorn {load['gunicorn_cpu_share']:.0%}, wrk "
        f"{load['wrk_cpu_share']:.0%}, other processes {load['during']:.0%} (before it: "
        f"{load['before']:.0%}); while the trivial view was: other processes "
        f"{loads['healthz']['during']:.0%}.",
        "",
    ]
    if any(v["during"] > QUIET for v in loads.values()):
        out += [
            f"**Other processes used more than {QUIET:.0%} of the CPUs during this measurement; "
            "requests/s is lower than a quiet machine gives, the CPU-based ratio less so.**",
            "",
        ]
    if page["non_2xx"] or any(page["socket_errors"].values()):
        out += [
            f"**Errors: {page['non_2xx']} non-2xx responses, socket errors {page['socket_errors']}.**",
            "",
        ]
    out += ["### Stripe webhook events on PostgreSQL", ""]
    hooks_file = results_dir / "providers-webhooks.json"
    if not hooks_file.exists():
        out += [
            "Not measured in this run: it needs PostgreSQL (on SQLite, two workers writing at once "
            "wait on the database file lock). Rerun with `BENCH_POSTGRES_URL` set to an empty "
            "database.",
            "",
        ]
        print("\n".join(out))
        return 0
    hooks = json.loads(hooks_file.read_text())
    count, clients = hooks["events"], hooks["clients"]
    out += [
        f"A second gunicorn (same settings, 2 sync workers) on PostgreSQL {hooks['postgres']}, with "
        f"Stripe keys set. {count:,} pending card orders (1 to 25 seats), then {count:,} "
        "`checkout.session.completed` events for them, shaped as Stripe sends them and signed with "
        "`stripe.WebhookSignature.generate_signature_header` (builders from "
        f"`tests/providers/stripe_events.py`), posted to `/stripe/webhook/` from {clients} Python "
        "client threads (one connection per request, as gunicorn's sync workers close it), then "
        "the same events again. Baseline: the same client sending as many `GET /healthz/` "
        "to the same processes just before.",
        "",
        "| requests | count | seconds | per second | ratio to the trivial view | p99 ms | "
        "gunicorn CPU ms per request |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, run in (
        ("`GET /healthz/` (baseline, same client)", hooks["baseline"]),
        ("events, first delivery (order paid, receipt numbered)", hooks["first"]),
        ('the same events again (answered "already received")', hooks["repeats"]),
    ):
        out.append(
            f"| {label} | {run['count']:,} | {run['seconds']:.2f} | {run['per_second']:,.1f} | "
            f"{run['per_second'] / hooks['baseline']['per_second']:.1%} | {run['p99_ms']:.1f} | "
            f"{run['gunicorn_cpu_ms']:.2f} |"
        )
    out += [
        "",
        f"Queries per event (one more order, in process, after the checked run): "
        f"{hooks['queries']['first']} for a first delivery (the event row, the order locked and "
        "paid, the receipt number, the audit log), "
        f"{hooks['queries']['repeat']} for a repeat.",
        "",
        f"Checked afterwards (the script fails otherwise): every answer was 200 with the expected "
        f"outcome, all {count:,} orders are paid with their own payment intent, each has one "
        f'"order paid" log entry and its own receipt number, and exactly {count:,} StripeEvent rows '
        "were added.",
        "",
        "CPU use as a share of all CPUs (gunicorn / the PostgreSQL backends serving its database / "
        "the client / other processes): "
        + "; ".join(
            f"{label} {run['gunicorn_cpu_share']:.0%} / {run['postgres_cpu_share']:.0%} / "
            f"{run['client_cpu_share']:.0%} / {run['other_cpu_share']:.0%}"
            for label, run in (
                ("healthz", hooks["baseline"]),
                ("first", hooks["first"]),
                ("repeats", hooks["repeats"]),
            )
        )
        + f". Other processes used {hooks['quiet_before']:.0%} just before.",
        "",
    ]
    if any(hooks[k]["other_cpu_share"] > QUIET for k in ("baseline", "first", "repeats")):
        out += [
            f"**Other processes used more than {QUIET:.0%} of the CPUs during these measurements; "
            "the per-second figures are lower than a quiet machine gives.**",
            "",
        ]
    print("\n".join(out))
    return 0


def main(argv):
    command, *args = argv
    if command == "generated":
        generated(*args)
    elif command == "cookie":
        cookie(*args)
    elif command == "queries":
        queries(*args)
    elif command == "export":
        export(*args)
    elif command == "webhooks":
        webhooks(*args)
    elif command == "report":
        return report(*args)
    else:
        sys.exit(f"Unknown command {command!r}; see the docstring of {__file__}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

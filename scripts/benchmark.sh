#!/usr/bin/env bash
# One command: measure every goal of the performance issue under gunicorn with production settings,
# at volume, against the trivial view in the same run, and write docs/benchmarks.md from that run:
# the anonymous home, course and module pages, a logged-in lesson page, a quiz submission graded
# on the server (a fresh attempt each time), the provider dashboard with 2,000 staff, the download
# of a stored certificate, the certificate render against a minimal WeasyPrint page, p99 latency at
# 8 clients, and the workers' memory over the run.
#
# Everything it creates (database, gunicorn log, wrk output, prepared quiz attempts) lives in a
# temporary folder that is deleted at the end, whatever happens; ./db.sqlite3 is never touched.
# Requests go to 127.0.0.1 only and each wrk run is bounded in time. Python half:
# scripts/benchmark.py (with benchmark_quiz.py, benchmark_providers.py, benchmark_certificates.py).
#
# Environment:
#   BENCH_SCALE        volume of manage.py generate_load_data: full (default: its defaults, 100
#                      providers, 20,000 learners, 60,000 attempts, 15,000 certificates), small (5%
#                      of that, for a quick check) or a fraction such as 0.25
#   BENCH_LOAD_OPTIONS generate_load_data's options as given, instead of BENCH_SCALE
#   BENCH_DURATION     each measured wrk run (default 15s)
#   BENCH_QUIET_WAIT   seconds to wait for other processes to leave the CPUs idle before each
#                      page (default 300)
#   BENCH_MEMORY_TOPUP seconds at most spent requesting pages again when fewer than 20,000
#                      requests (10,000 per worker) were answered between the two memory
#                      readings (default 300)
#   BENCH_PORT         default: a free port
#   BENCH_POSTGRES_URL an empty PostgreSQL database: when set, Stripe webhook events per second
#                      are measured there too (scripts/benchmark_providers.py)
#   BENCH_KEEP_RESULTS a folder to copy the raw results into (wrk output, JSON, logs) before the
#                      temporary folder goes; `benchmark.py report FOLDER OUT` rewrites the report
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${BENCH_DURATION:-15s}
scale=${BENCH_SCALE:-full}

# 1. wrk and the virtualenv ----------------------------------------------------------------------
# setup.sh installs the Debian packages it is given (as root) and the virtualenv.
scripts/setup.sh requirements.txt wrk curl
for tool in wrk curl; do
    command -v "$tool" >/dev/null 2>&1 || { echo "The benchmark needs $tool: apt-get install $tool" >&2; exit 1; }
done
python=.venv/bin/python
load_options=${BENCH_LOAD_OPTIONS:-$("$python" scripts/benchmark.py load-options "$scale")}
read -r -a load_args <<<"$load_options"

# 2. A throwaway database: the demo course, then the volume ------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/safeguarding-bench.XXXXXX")
gunicorn_pid=
pg_gunicorn_pid=
stop() {  # stop PID: a gunicorn master started here
    if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
        kill -TERM "$1" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
    fi
}
cleanup() {
    status=$?
    stop "$gunicorn_pid"
    stop "$pg_gunicorn_pid"
    for log in "$tmp/gunicorn.log" "$tmp/gunicorn-postgres.log"; do
        if [ "$status" -ne 0 ] && [ -s "$log" ]; then
            echo "--- last lines of $(basename "$log") ---" >&2
            tail -n 30 "$log" >&2
        fi
    done
    if [ -n "${BENCH_KEEP_RESULTS:-}" ]; then  # the measurements, without the database or attempts
        mkdir -p "$BENCH_KEEP_RESULTS"
        find "$tmp" -maxdepth 1 -type f ! -name '*.sqlite3*' ! -name '*.tsv' -exec cp {} "$BENCH_KEEP_RESULTS" \;
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export DATABASE_URL="sqlite:///$tmp/bench.sqlite3"
export MEDIA_ROOT="$tmp/media"
export CACHE_URL="locmemcache://"
export BENCH_SCALE="$scale" BENCH_DURATION="$duration"
# Production settings need these; the data steps use dev settings (load_demo and
# generate_load_data only run there) but the same database. Sessions are made with production
# settings, so they are signed with this key.
SECRET_KEY=$("$python" -c 'import secrets; print(secrets.token_urlsafe(48))')
export SECRET_KEY ALLOWED_HOSTS="127.0.0.1,localhost" SECURE_SSL_REDIRECT=false DEBUG=false

dev() { DJANGO_SETTINGS_MODULE=cms.settings.dev "$@"; }
prod() { DJANGO_SETTINGS_MODULE=cms.settings.production "$@"; }

# Production pages need WhiteNoise's manifest, for the query counts as for gunicorn. STATIC_ROOT is
# not configurable by environment: production keeps it at ./staticfiles (gitignored).
echo "== collectstatic into ./staticfiles"
prod "$python" manage.py collectstatic --noinput -v0
echo "== Database in $tmp"
dev "$python" manage.py migrate --noinput -v0
dev "$python" manage.py load_demo
dev "$python" scripts/benchmark.py learner-progress "$tmp/pages.env"
dev "$python" scripts/benchmark.py certificate "$tmp/pages.env"
# shellcheck source=/dev/null
. "$tmp/pages.env"
echo "== Queries before the load data"
prod "$python" scripts/benchmark.py queries "$tmp/pages.env" "$tmp/queries.json" base
prod "$python" scripts/benchmark_quiz.py queries "$tmp" base
echo "== Load data: manage.py generate_load_data ${load_args[*]}"
echo "${load_args[*]}" >"$tmp/load-options"
started=$SECONDS
dev "$python" manage.py generate_load_data "${load_args[@]}" | tee "$tmp/load-data.txt"
echo $((SECONDS - started)) >"$tmp/load-data-seconds"
echo "== Queries with the load data"
prod "$python" scripts/benchmark.py queries "$tmp/pages.env" "$tmp/queries.json" volume
prod "$python" scripts/benchmark_quiz.py queries "$tmp" volume
echo "== The provider measured (generate_load_data's large one) and a small one"
prod "$python" scripts/benchmark_providers.py generated "$tmp/providers.env"
# shellcheck source=/dev/null
. "$tmp/providers.env"
prod "$python" scripts/benchmark_providers.py queries "$tmp/providers.env" "$tmp/providers-queries.json"

# 3. Sessions, without the login form -----------------------------------------------------------
cookie=$(prod "$python" scripts/benchmark.py cookie)
manager_cookie=$(prod "$python" scripts/benchmark_providers.py cookie "$tmp/providers.env")
certificate_cookie=$(prod "$python" scripts/benchmark.py cookie "$CERTIFICATE_LEARNER")

# 4. gunicorn with production settings ---------------------------------------------------------
port=${BENCH_PORT:-$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
base="http://127.0.0.1:$port"
echo "== gunicorn on $base (2 sync workers), log in $tmp/gunicorn.log"
DJANGO_SETTINGS_MODULE=cms.settings.production .venv/bin/gunicorn cms.wsgi \
    --workers 2 --worker-class sync --bind "127.0.0.1:$port" --no-control-socket \
    --error-logfile - >"$tmp/gunicorn.log" 2>&1 &
gunicorn_pid=$!
for attempt in $(seq 60); do
    curl -fsS -o /dev/null --max-time 2 "$base/healthz/" 2>/dev/null && break
    kill -0 "$gunicorn_pid" 2>/dev/null || { echo "gunicorn stopped before answering" >&2; exit 1; }
    [ "$attempt" -eq 60 ] && { echo "gunicorn did not answer /healthz/ within 30 s" >&2; exit 1; }
    sleep 0.5
done

# Each page must answer 200 with its real content before it is measured.
check() {  # check NAME URL MUST_CONTAIN [MUST_NOT_CONTAIN] [curl args...]
    local name=$1 url=$2 want=$3 unwanted=${4:-} status
    shift 4
    status=$(curl -sS --max-time 10 -o "$tmp/check-$name.html" -D "$tmp/check-$name.headers" \
        -w '%{http_code}' "$@" "$base$url")
    if [ "$status" != 200 ]; then
        echo "$name ($url) answered $status, not 200" >&2; exit 1
    fi
    if ! grep -qF -- "$want" "$tmp/check-$name.html"; then
        echo "$name ($url) does not contain: $want" >&2; exit 1
    fi
    if [ -n "$unwanted" ] && grep -qF -- "$unwanted" "$tmp/check-$name.html"; then
        echo "$name ($url) contains: $unwanted" >&2; exit 1
    fi
    echo "   $name $url: 200, $(wc -c <"$tmp/check-$name.html") bytes"
}
anonymous() {  # anonymous NAME: the page was answered to a visitor without a session
    if grep -qiE '^set-cookie: [^=]*sessionid' "$tmp/check-$1.headers"; then
        echo "$1 made a session for an anonymous visitor" >&2; exit 1
    fi
}
echo "== Checking the pages"
check healthz /healthz/ ok ""
check home "$HOME_URL" "<h1" ""
anonymous home
check course "$COURSE_URL" "<h1>$COURSE_TITLE</h1>" ""
grep -qF -- "$MODULE_TITLE" "$tmp/check-course.html" || { echo "the course page does not list its module" >&2; exit 1; }
anonymous course
check module-anon "$MODULE_URL" "<h1>$MODULE_TITLE</h1>" "lessons done"
grep -qF -- "$FIRST_LESSON_TITLE" "$tmp/check-module-anon.html" || { echo "the module page does not list its lessons" >&2; exit 1; }
anonymous module-anon
check module "$MODULE_URL" "<h1>$MODULE_TITLE</h1>" "Sign in" -H "$cookie"
check lesson "$LESSON_URL" "<h1>$LESSON_TITLE</h1>" "Before you start:" -H "$cookie"
grep -qE '2 of [0-9]+ lessons done' "$tmp/check-lesson.html" || { echo "lesson page shows no progress" >&2; exit 1; }
check providers "$PROVIDER_URL" "$PROVIDER_MUST_SHOW" "Sign in" -H "$manager_cookie"
check certificate "$CERTIFICATE_URL" "%PDF-" "" -H "$certificate_cookie"
[ "$(wc -c <"$tmp/check-certificate.html")" -eq "$CERTIFICATE_BYTES" ] ||
    { echo "the certificate download is not the stored PDF ($CERTIFICATE_BYTES bytes)" >&2; exit 1; }
# The quiz submission is checked by benchmark_quiz.py measure, before it is timed.

# 5. wrk, loopback only -------------------------------------------------------------------------
# Every page once more on both workers (1 s each), then the workers' memory: the start of the
# memory goal. benchmark.py measure then waits (up to BENCH_QUIET_WAIT seconds) until other
# processes leave the CPUs mostly idle, runs wrk for the 3 s warm-up and then for $duration, and
# records how much CPU gunicorn, wrk and everything else used meanwhile.
echo "wrk -t2 -c8 -d$duration --timeout=10s --latency" >"$tmp/wrk-args"
wrk -v 2>&1 | head -n 1 >"$tmp/wrk-version" || true
if git rev-parse --short HEAD >"$tmp/code-version" 2>/dev/null; then
    [ -z "$(git status --porcelain -- . ':!docs/benchmarks.md')" ] ||
        sed -i 's/$/ plus uncommitted changes/' "$tmp/code-version"
else
    echo "an unknown version (not a git checkout)" >"$tmp/code-version"
fi
echo "== Warming every page on both workers"
warm() { wrk -t2 -c8 -d1s --timeout=10s "${@:2}" "$base$1" >/dev/null; }
warm /healthz/
warm "$HOME_URL"
warm "$COURSE_URL"
warm "$MODULE_URL"
warm "$MODULE_URL" -H "$cookie"
warm "$LESSON_URL" -H "$cookie"
warm "$PROVIDER_URL" -H "$manager_cookie"
warm "$CERTIFICATE_URL" -H "$certificate_cookie"
"$python" scripts/benchmark.py rss "$tmp" start "$gunicorn_pid"
measure() {  # measure NAME URL [header]
    echo "== $1: $2 (warm-up 3s, then $duration)"
    "$python" scripts/benchmark.py measure "$tmp" "$1" "$base$2" "$gunicorn_pid" "${@:3}"
}
measure healthz /healthz/
measure home "$HOME_URL"
measure course "$COURSE_URL"
measure module-anon "$MODULE_URL"
measure module "$MODULE_URL" "$cookie"
measure lesson "$LESSON_URL" "$cookie"
measure providers "$PROVIDER_URL" "$manager_cookie"
measure certificate "$CERTIFICATE_URL" "$certificate_cookie"
echo "== quiz: POST a fresh attempt each time (check, probe, prepare, warm-up 3s, then $duration)"
prod "$python" scripts/benchmark_quiz.py measure "$tmp" "$base" "$gunicorn_pid"
"$python" scripts/benchmark_providers.py export "$tmp" "$base$PROVIDER_CSV_URL" "$manager_cookie"
# The memory goal needs at least 10,000 requests per worker between the two readings (20,000 for
# the two): on a busy machine the runs above may answer fewer, so the pages are requested again,
# 2 s each in turn, until they reach it (for at most BENCH_MEMORY_TOPUP seconds, default 300).
served() { awk -F'\t' '{ n += $1 } END { print n + 0 }' "$tmp/served.txt"; }
topup() {  # topup URL [curl-style header]: 2 s of wrk, its answers added to the count
    local answered
    answered=$(wrk -t2 -c8 -d2s --timeout=10s "${@:2}" "$base$1" | awk '/ requests in / { print $1 }')
    printf '%s\ttop-up %s\n' "${answered:-0}" "$1" >>"$tmp/served.txt"
}
topup_until=$((SECONDS + ${BENCH_MEMORY_TOPUP:-300}))
while [ "$(served)" -lt 20000 ] && [ "$SECONDS" -lt "$topup_until" ]; do
    echo "== $(served) requests since the first memory reading: more (2 s per page), for the memory goal"
    topup "$HOME_URL"
    topup "$COURSE_URL"
    topup "$MODULE_URL"
    topup "$LESSON_URL" -H "$cookie"
    topup "$CERTIFICATE_URL" -H "$certificate_cookie"
    topup /healthz/
done
"$python" scripts/benchmark.py rss "$tmp" end "$gunicorn_pid"
if grep -qE 'Traceback|Error' "$tmp/gunicorn.log"; then
    echo "gunicorn logged errors during the run:" >&2
    grep -E -m5 'Traceback|Error' "$tmp/gunicorn.log" >&2
fi

# 5b. Stripe webhook events on PostgreSQL, with a second gunicorn, only when given a database --
if [ -n "${BENCH_POSTGRES_URL:-}" ]; then
    echo "== PostgreSQL: migrate and load_demo, then webhook events (log in $tmp/gunicorn-postgres.log)"
    stripe_env=(DATABASE_URL="$BENCH_POSTGRES_URL" STRIPE_SECRET_KEY=sk_test_benchmark
        STRIPE_WEBHOOK_SECRET="whsec_$("$python" -c 'import secrets; print(secrets.token_hex(16))')")
    env "${stripe_env[@]}" DJANGO_SETTINGS_MODULE=cms.settings.dev "$python" manage.py migrate --noinput -v0
    env "${stripe_env[@]}" DJANGO_SETTINGS_MODULE=cms.settings.dev "$python" manage.py load_demo >/dev/null
    pg_port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    env "${stripe_env[@]}" DJANGO_SETTINGS_MODULE=cms.settings.production .venv/bin/gunicorn cms.wsgi \
        --workers 2 --worker-class sync --bind "127.0.0.1:$pg_port" --no-control-socket \
        --error-logfile - >"$tmp/gunicorn-postgres.log" 2>&1 &
    pg_gunicorn_pid=$!
    for attempt in $(seq 60); do
        curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$pg_port/healthz/" 2>/dev/null && break
        kill -0 "$pg_gunicorn_pid" 2>/dev/null || { echo "gunicorn (PostgreSQL) stopped" >&2; exit 1; }
        [ "$attempt" -eq 60 ] && { echo "gunicorn (PostgreSQL) did not answer within 30 s" >&2; exit 1; }
        sleep 0.5
    done
    env "${stripe_env[@]}" DJANGO_SETTINGS_MODULE=cms.settings.production "$python" \
        scripts/benchmark_providers.py webhooks "$tmp" "http://127.0.0.1:$pg_port" "$pg_gunicorn_pid"
    stop "$pg_gunicorn_pid"
else
    echo "== Webhook events not measured: set BENCH_POSTGRES_URL to an empty PostgreSQL database"
fi

# 6-7. The report -------------------------------------------------------------------------------
echo "== Certificate PDF render (in-process, gunicorn idle) and download"
"$python" scripts/benchmark_certificates.py 20 "$tmp" >"$tmp/certificates.md"
"$python" scripts/benchmark_providers.py report "$tmp" >"$tmp/providers.md"
"$python" scripts/benchmark.py report "$tmp" docs/benchmarks.md
printf '\n' >>docs/benchmarks.md
cat "$tmp/certificates.md" >>docs/benchmarks.md
printf '\n' >>docs/benchmarks.md
cat "$tmp/providers.md" >>docs/benchmarks.md
echo "== Wrote docs/benchmarks.md"

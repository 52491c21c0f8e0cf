#!/usr/bin/env bash
# One command: benchmark the trivial view, the home page, the module page, a lesson page and the
# download of a stored certificate PDF under gunicorn with production settings, and write
# docs/benchmarks.md from that run.
#
# Everything it creates (database, gunicorn log, wrk output) lives in a temporary folder that is
# deleted at the end, whatever happens; ./db.sqlite3 is never touched. Requests go to 127.0.0.1
# only and each wrk run is bounded in time. Python half: scripts/benchmark.py.
#
# Environment: BENCH_LEARNERS (extra learners, default 1000), BENCH_DURATION (default 15s),
# BENCH_PORT (default: a free port), BENCH_QUIET_WAIT (seconds to wait for other processes to
# leave the CPUs idle before each page, default 300), BENCH_STAFF (staff of the provider whose
# training record is measured, default 2000), BENCH_POSTGRES_URL (an empty PostgreSQL database:
# when set, Stripe webhook events per second are measured there too; scripts/benchmark_providers.py).
set -euo pipefail
cd "$(dirname "$0")/.."

learners=${BENCH_LEARNERS:-1000}
staff=${BENCH_STAFF:-2000}
duration=${BENCH_DURATION:-15s}

# 1. wrk and the virtualenv ----------------------------------------------------------------------
# setup.sh installs the Debian packages it is given (as root) and the virtualenv.
scripts/setup.sh requirements.txt wrk curl
for tool in wrk curl; do
    command -v "$tool" >/dev/null 2>&1 || { echo "The benchmark needs $tool: apt-get install $tool" >&2; exit 1; }
done
python=.venv/bin/python

# 2. A throwaway database with the demo course and 1,000 more learners -------------------------
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
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export DATABASE_URL="sqlite:///$tmp/bench.sqlite3"
export MEDIA_ROOT="$tmp/media"
export CACHE_URL="locmemcache://"
export BENCH_LEARNERS="$learners"
# Production settings need these; the data steps use dev settings (load_demo only creates the
# demo logins there) but the same database.
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
echo "== Queries before the extra learners"
prod "$python" scripts/benchmark.py queries "$tmp/pages.env" "$tmp/queries.json" base
dev "$python" scripts/benchmark.py volume "$learners"
echo "== Queries with $learners extra learners"
prod "$python" scripts/benchmark.py queries "$tmp/pages.env" "$tmp/queries.json" volume
echo "== A provider with $staff staff, and one with 20"
dev "$python" scripts/benchmark_providers.py staff "$staff" "$tmp/providers.env"
# shellcheck source=/dev/null
. "$tmp/providers.env"
prod "$python" scripts/benchmark_providers.py queries "$tmp/providers.env" "$tmp/providers-queries.json"

# 3. A session for the demo learner, without the login form -------------------------------------
session=$(prod "$python" scripts/benchmark.py session)
cookie="Cookie: sessionid=$session"
manager_cookie="Cookie: sessionid=$(prod "$python" scripts/benchmark_providers.py session)"
certificate_cookie="Cookie: sessionid=$(prod "$python" scripts/benchmark.py session "$CERTIFICATE_LEARNER")"

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
    status=$(curl -sS --max-time 10 -o "$tmp/check-$name.html" -w '%{http_code}' "$@" "$base$url")
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
echo "== Checking the pages"
check healthz /healthz/ ok ""
check home "$HOME_URL" "<h1" ""
check module "$MODULE_URL" "<h1>$MODULE_TITLE</h1>" "Sign in" -H "$cookie"
check lesson "$LESSON_URL" "<h1>$LESSON_TITLE</h1>" "Before you start:" -H "$cookie"
grep -qE '2 of [0-9]+ lessons done' "$tmp/check-lesson.html" || { echo "lesson page shows no progress" >&2; exit 1; }
check providers "$PROVIDER_URL" "$PROVIDER_MUST_SHOW" "Sign in" -H "$manager_cookie"
check certificate "$CERTIFICATE_URL" "%PDF-" "" -H "$certificate_cookie"
[ "$(wc -c <"$tmp/check-certificate.html")" -eq "$CERTIFICATE_BYTES" ] ||
    { echo "the certificate download is not the stored PDF ($CERTIFICATE_BYTES bytes)" >&2; exit 1; }

# 5. wrk, loopback only -------------------------------------------------------------------------
# benchmark.py measure waits (up to BENCH_QUIET_WAIT seconds, default 300) until other processes
# leave the CPUs mostly idle, runs wrk for the 3 s warm-up and then for $duration, and records how
# much CPU gunicorn, wrk and everything else used meanwhile.
echo "wrk -t2 -c8 -d$duration --latency" >"$tmp/wrk-args"
wrk -v 2>&1 | head -n 1 >"$tmp/wrk-version" || true
if git rev-parse --short HEAD >"$tmp/code-version" 2>/dev/null; then
    [ -z "$(git status --porcelain -- . ':!docs/benchmarks.md')" ] ||
        sed -i 's/$/ plus uncommitted changes/' "$tmp/code-version"
else
    echo "an unknown version (not a git checkout)" >"$tmp/code-version"
fi
export BENCH_DURATION="$duration"
measure() {  # measure NAME URL [header]
    echo "== $1: $2 (warm-up 3s, then $duration)"
    "$python" scripts/benchmark.py measure "$tmp" "$1" "$base$2" "$gunicorn_pid" "${@:3}"
}
measure healthz /healthz/
measure home "$HOME_URL"
measure module "$MODULE_URL" "$cookie"
measure lesson "$LESSON_URL" "$cookie"
measure providers "$PROVIDER_URL" "$manager_cookie"
measure certificate "$CERTIFICATE_URL" "$certificate_cookie"
"$python" scripts/benchmark_providers.py export "$tmp" "$base$PROVIDER_CSV_URL" "$manager_cookie"
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
"$python" scripts/benchmark.py report "$tmp" docs/benchmarks.md
echo "== Certificate PDF render (in-process) and download"
printf '\n' >>docs/benchmarks.md
"$python" scripts/benchmark_certificates.py 20 "$tmp" >>docs/benchmarks.md
printf '\n' >>docs/benchmarks.md
"$python" scripts/benchmark_providers.py report "$tmp" >>docs/benchmarks.md
echo "== Wrote docs/benchmarks.md"

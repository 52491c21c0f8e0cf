#!/usr/bin/env bash
# One command: install what the tests need (Debian's Chromium included), then lint, check and run
# every test. Extra arguments go to pytest, for example: scripts/test.sh tests/cms -k chart
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-dev.txt chromium poppler-utils zbar-tools
export DJANGO_SETTINGS_MODULE=cms.settings.test
.venv/bin/ruff check .
# Known vulnerabilities in the pinned requirements. pip-audit asks PyPI's JSON API about each pinned
# release (https://pypi.org/pypi/NAME/VERSION/json); where that API does not answer, it would call every
# package "not found" and still exit 0, so check first and say plainly that the audit was skipped.
if .venv/bin/python -c 'import urllib.request; urllib.request.urlopen("https://pypi.org/pypi/pip/24.0/json", timeout=20)' 2>/dev/null; then
    .venv/bin/pip-audit --strict --progress-spinner off -r requirements.txt -r requirements-dev.txt
else
    echo "pip-audit SKIPPED: PyPI's vulnerability API (https://pypi.org/pypi/NAME/VERSION/json) cannot be reached from here, so the pinned requirements were not audited." >&2
fi
.venv/bin/python manage.py check
.venv/bin/python manage.py makemigrations --check --dry-run
.venv/bin/python -m pytest "$@"

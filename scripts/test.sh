#!/usr/bin/env bash
# One command: install what the tests need (Debian's Chromium included), then lint, check and run
# every test. Extra arguments go to pytest, for example: scripts/test.sh tests/cms -k chart
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-dev.txt chromium poppler-utils zbar-tools
export DJANGO_SETTINGS_MODULE=cms.settings.test
.venv/bin/ruff check .
.venv/bin/python manage.py check
.venv/bin/python manage.py makemigrations --check --dry-run
.venv/bin/python -m pytest "$@"

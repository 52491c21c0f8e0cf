#!/usr/bin/env bash
# One command: install everything, load the demo course, serve it on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-cms.settings.dev}
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo
address=${ADDRESS:-127.0.0.1:8000}
echo "Serving on http://$address/ (admin at /admin/). Stop with Ctrl+C."
exec .venv/bin/python manage.py runserver "$address"

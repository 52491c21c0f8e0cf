#!/usr/bin/env bash
# Shared install step: Debian packages (as root, only those missing), the virtualenv and Python
# packages. Usage: scripts/setup.sh [requirements file] [extra Debian packages...]
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=${1:-requirements.txt}
shift || true
# WeasyPrint needs Pango; without libharfbuzz-subset0 every PDF takes about 7 times longer.
debian_packages=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core "$@")

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for package in "${debian_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "Please install these Debian packages (as root): ${missing[*]}" >&2
    fi
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "Python 3.11 or newer is needed (found $("$python" --version 2>&1))." >&2
    exit 1
}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"

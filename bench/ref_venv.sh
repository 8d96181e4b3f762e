#!/usr/bin/env bash
# Build bench/.venv-ref (statsforecast reference venv) from bench/requirements-ref.txt.
# Idempotent: silent and instant when the venv exists and was built from the current requirements.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-ref"
reqs="$here/requirements-ref.txt"
stamp="$venv/requirements-ref.installed"

if [[ -x "$venv/bin/python" ]] && cmp -s "$reqs" "$stamp"; then
    exit 0
fi
if [[ ! -x "$venv/bin/python" ]]; then
    python3.11 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$reqs"
cp "$reqs" "$stamp"

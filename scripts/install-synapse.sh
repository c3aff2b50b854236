#!/usr/bin/env bash
# Install a Synapse homeserver for the Matrix connector tests, in its own venv (.services/synapse-venv),
# never in the project venv: Synapse pins many packages of its own.
#
#   scripts/install-synapse.sh            install if missing (idempotent; quiet when already there)
#   SYNAPSE_VERSION=1.163.2 scripts/...   the version to install (default below; falls back to the
#                                         newest release if that exact version is not on the index)
#   PYTHON=python3.11 scripts/...         the interpreter for the venv (default: python3)
#
# tests/support/synapse.py starts servers from this venv; tests marked `services` need it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.services/synapse-venv"
DEFAULT_VERSION=1.163.2
VERSION="${SYNAPSE_VERSION:-$DEFAULT_VERSION}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.installed"
LOG="$ROOT/.services/synapse-install.log"

fail() {
    echo "install-synapse: $1" >&2
    if [ -s "$LOG" ]; then
        echo "install-synapse: last lines of $LOG:" >&2
        tail -n 25 "$LOG" >&2
    fi
    exit 1
}

installed_version() {
    [ -x "$VENV/bin/python" ] || return 1
    "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("matrix-synapse"))' 2>/dev/null
}

# Already there and importable (and the version asked for, when one is asked for): nothing to do.
# (The stamp is written only after the server module imported; checking metadata keeps this fast.)
if [ -f "$STAMP" ] && have="$(installed_version)" && { [ -z "${SYNAPSE_VERSION:-}" ] || [ "$have" = "$VERSION" ]; }
then
    echo "install-synapse: matrix-synapse $have already installed in .services/synapse-venv."
    exit 0
fi

command -v "$PYTHON" >/dev/null || fail "$PYTHON not found; set PYTHON=/path/to/python3 (3.10 or newer)."
mkdir -p "$ROOT/.services"
: > "$LOG"
echo "install-synapse: installing matrix-synapse into .services/synapse-venv (about a minute)..."
start=$(date +%s)

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV" >>"$LOG" 2>&1 \
        || fail "could not create the venv (on Debian: apt-get install python3-venv)."
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$VENV/bin/python" -m pip install --quiet --upgrade pip >>"$LOG" 2>&1 || echo "install-synapse: (pip not upgraded)"

if "$VENV/bin/python" -m pip install --quiet "matrix-synapse==$VERSION" >>"$LOG" 2>&1; then
    :
elif grep -q "No matching distribution found for matrix-synapse==" "$LOG" \
        && ! grep -q "matrix-synapse==$VERSION (from versions: none)" "$LOG"; then
    echo "install-synapse: matrix-synapse $VERSION is not on the package index; installing the newest release."
    "$VENV/bin/python" -m pip install --quiet matrix-synapse >>"$LOG" 2>&1 \
        || fail "pip install matrix-synapse failed (is PyPI reachable?)."
else
    fail "pip install matrix-synapse==$VERSION failed (is PyPI reachable?)."
fi

"$VENV/bin/python" -c 'import synapse.app.homeserver' >>"$LOG" 2>&1 \
    || fail "matrix-synapse installed but does not import."
have="$(installed_version)" || fail "matrix-synapse is not in the venv after pip install."
touch "$STAMP"
echo "install-synapse: matrix-synapse $have installed in $(( $(date +%s) - start ))s."

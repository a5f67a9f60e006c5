#!/usr/bin/env bash
# Create or refresh .venv from uv.lock. Safe to re-run: a second run takes about a second.
#
#   1. find a Python 3.12+ interpreter on this machine (never download one);
#   2. install a pinned uv from PyPI into .tools/ (a small venv of its own);
#   3. uv sync --frozen: .venv gets exactly what uv.lock says, dev tools included.
#
# Set PYTHON=/path/to/python3.12 to choose the interpreter yourself.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

UV_VERSION="0.13.9"
MIN_MINOR=12

say() { printf 'setup: %s\n' "$*" >&2; }

# Print the real path of a Python >= 3.12 behind $1, or fail quietly.
# Each candidate is run, not trusted by name: a pyenv shim may exist for a version that is
# not active, and "python3" may be 3.11.
probe() {
    local exe=$1
    [ -n "$exe" ] || return 1
    command -v "$exe" >/dev/null 2>&1 || [ -x "$exe" ] || return 1
    "$exe" - "$MIN_MINOR" 2>/dev/null <<'PY'
import sys
if sys.version_info[0] == 3 and sys.version_info[1] >= int(sys.argv[1]):
    import venv  # noqa: F401  (Debian splits venv out; we need it for .tools)
    print(getattr(sys, "_base_executable", sys.executable) or sys.executable)
else:
    sys.exit(1)
PY
}

find_python() {
    local candidates=()
    # An explicit choice wins.
    if [ -n "${PYTHON:-}" ]; then
        if probe "$PYTHON"; then return 0; fi
        say "PYTHON=$PYTHON is not a working Python 3.$MIN_MINOR+ interpreter."
        return 1
    fi
    # Keep the interpreter .venv was built with, so a re-run never rebuilds it.
    candidates+=(".venv/bin/python")
    # On PATH, the version in .python-version first.
    candidates+=(python3.12 python3.13 python3.14 python3.15 python3)
    # pyenv, asdf, uv-managed, Homebrew and hand-built interpreters.
    local root dir
    for root in "${PYENV_ROOT:-$HOME/.pyenv}/versions" "$HOME/.asdf/installs/python" \
                "$HOME/.local/share/uv/python"; do
        for dir in "$root"/3.1[2-9]* "$root"/cpython-3.1[2-9]*; do
            [ -d "$dir" ] && candidates+=("$dir/bin/python3")
        done
    done
    for dir in /usr/local/bin /opt/homebrew/bin /usr/bin /opt/python/bin; do
        for exe in "$dir"/python3.1[2-9]; do
            [ -x "$exe" ] && candidates+=("$exe")
        done
    done
    local c
    for c in "${candidates[@]}"; do
        if probe "$c"; then return 0; fi
    done
    return 1
}

if ! PY=$(find_python); then
    cat >&2 <<MSG

setup: no Python 3.$MIN_MINOR or newer was found on this machine.
  Looked at: \$PYTHON, python3.12 .. python3.15 and python3 on PATH, ~/.pyenv/versions/3.1x,
             ~/.asdf/installs/python/3.1x, ~/.local/share/uv/python, /usr/local/bin, /opt/homebrew/bin.
  (Python 3.11 and older do not count: Django 6 needs 3.12+.)
  Install one, for example:
    pyenv install 3.12           # then re-run this command
    sudo apt-get install python3.12 python3.12-venv   # where your distribution has it
    brew install python@3.12     # macOS
  or point at one you have:  PYTHON=/path/to/python3.12 make demo

MSG
    exit 1
fi

# uv, pinned, in its own small venv so it never touches .venv or the system.
UV=.tools/bin/uv
if [ ! -x "$UV" ] || [ "$("$UV" --version 2>/dev/null | awk '{print $2}')" != "$UV_VERSION" ]; then
    say "installing uv $UV_VERSION into .tools/ (from PyPI)"
    rm -rf .tools
    "$PY" -m venv .tools
    .tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi

# Exactly what uv.lock says; never download an interpreter. Byte-compiling at install time keeps
# every later start fast, also where PYTHONDONTWRITEBYTECODE is set (Django + Wagtail load ~2x
# faster); on a sync with nothing to do it costs about a second.
export UV_PYTHON_DOWNLOADS=never
unset VIRTUAL_ENV UV_PROJECT_ENVIRONMENT
"$UV" sync --frozen --compile-bytecode --python "$PY" --quiet
say ".venv ready ($(.venv/bin/python -c 'import platform; print("Python", platform.python_version())'), uv $UV_VERSION)"

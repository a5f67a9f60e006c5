#!/usr/bin/env bash
# make test: exactly what CI runs, in this order.
#
#   lint          ruff format --check, ruff check
#   mypy          mypy (files and options in pyproject.toml)
#   migrations    manage.py makemigrations --check --dry-run
#   deploy-check  manage.py check --deploy --fail-level WARNING on production settings
#   sqlite        pytest on SQLite
#   postgres      pytest on PostgreSQL (127.0.0.1:5432, user postgres; started if stopped)
#   browser       pytest -m browser tests/browser in Debian's Chromium
#
# Every leg runs even when an earlier one failed, so one run shows every problem; the exit
# status is non-zero if any leg failed. On a developer machine a leg whose service is missing
# (PostgreSQL, Chromium) is skipped with the reason and how to enable it; with CI=true a
# missing service is a failure.
#
# Environment:
#   CI=true               missing PostgreSQL or Chromium fails the run instead of skipping
#   TEST_POSTGRES_URL     PostgreSQL for the postgres leg
#                         (default postgres://postgres@127.0.0.1:5432/qa_platform; pytest-django
#                         creates and drops test_<name> itself)
#   CHROMIUM_PATH         browser for the browser leg (default /usr/bin/chromium)
#   PYTEST_ADDOPTS        extra pytest options for every pytest leg (standard pytest variable)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

case "${CI:-}" in
    "" | 0 | false | False | FALSE | no) IN_CI=0 ;;
    *) IN_CI=1 ;;
esac

PG_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/qa_platform}"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

# Settings come from pyproject.toml (pytest) or are set per leg below, never from the caller.
unset DJANGO_SETTINGS_MODULE DATABASE_URL VIRTUAL_ENV

WORK=$(mktemp -d "${TMPDIR:-/tmp}/qa-platform-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

SUMMARY=()
SKIP_NOTES=()
FAILED=0
TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0
TIMINGS=()

join() {  # join items with ", "
    local out="" item
    for item in "$@"; do out="${out:+$out, }$item"; done
    printf '%s' "$out"
}
leg_start() {
    LEG_NAME=$1
    LEG_T0=$(date +%s)
    printf '\n==> %s: %s\n' "$1" "$2"
}
leg_end() {  # leg_end <summary text> <0: passed | 1: failed | 2: skipped>
    local secs=$(($(date +%s) - LEG_T0))
    SUMMARY+=("$1")
    TIMINGS+=("$LEG_NAME ${secs}s")
    case "$2" in
        0) printf '==> %s passed (%ss)\n' "$LEG_NAME" "$secs" ;;
        2) printf '==> %s skipped (%ss)\n' "$LEG_NAME" "$secs" ;;
        *) FAILED=1; printf '==> %s FAILED (%ss)\n' "$LEG_NAME" "$secs" ;;
    esac
}
missing_service() {  # missing_service <leg> <why> <how to enable>
    if [ "$IN_CI" -eq 1 ]; then
        printf '==> %s FAILED: %s (CI=true: a missing leg is a failure).\n' "$1" "$2"
        printf '    To fix: %s\n' "$3"
        leg_end "$1 FAILED (missing: $2)" 1
    else
        printf '==> %s SKIPPED: %s.\n' "$1" "$2"
        printf '    To enable it: %s\n' "$3"
        SKIP_NOTES+=("$1 leg skipped: $2. To enable it: $3")
        leg_end "$1 SKIPPED ($2)" 2
    fi
}

# pytest_leg <name> <junit file> <pytest args...>: runs pytest, reads the counts from its
# JUnit report. No test collected (exit 5) or no test passed is a failure, never green.
pytest_leg() {
    local name=$1 junit=$2
    shift 2
    .venv/bin/pytest --junitxml="$junit" "$@"
    local rc=$?
    local counts
    counts=$(.venv/bin/python - "$junit" <<'PY' 2>/dev/null
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
t = f = e = s = 0
for suite in suites:
    t += int(suite.get("tests", 0)); f += int(suite.get("failures", 0))
    e += int(suite.get("errors", 0)); s += int(suite.get("skipped", 0))
print(t - f - e - s, f + e, s)
PY
    ) || counts="0 0 0"
    local passed failed skipped
    read -r passed failed skipped <<<"$counts"
    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
    TOTAL_SKIPPED=$((TOTAL_SKIPPED + skipped))
    local counts_text="$passed passed"
    [ "$failed" -gt 0 ] && counts_text="$counts_text, $failed failed"
    [ "$skipped" -gt 0 ] && counts_text="$counts_text, $skipped skipped"
    if [ "$rc" -eq 5 ]; then
        echo "==> $name: pytest collected no tests (exit 5); that is a failure, not a pass."
        leg_end "$name FAILED (no tests collected)" 1
    elif [ "$rc" -ne 0 ]; then
        leg_end "$name FAILED ($counts_text; pytest exit $rc)" 1
    elif [ "$passed" -eq 0 ]; then
        echo "==> $name: no test passed (all skipped?); that is a failure, not a pass."
        leg_end "$name FAILED ($counts_text: nothing passed)" 1
    else
        leg_end "$name $counts_text" 0
    fi
}

T_START=$(date +%s)

# ---------------------------------------------------------------- setup
printf '==> setup: .venv from uv.lock\n'
if ! bash scripts/setup.sh; then
    echo "make test FAILED: setup (could not build .venv from uv.lock; see above)"
    exit 1
fi
TIMINGS+=("setup $(($(date +%s) - T_START))s")
PY=.venv/bin/python

# ---------------------------------------------------------------- lint
leg_start lint "ruff format --check . && ruff check ."
lint_bad=()
.venv/bin/ruff format --check . || lint_bad+=("ruff format: run 'make fmt'")
.venv/bin/ruff check . || lint_bad+=("ruff check")
if [ ${#lint_bad[@]} -eq 0 ]; then
    leg_end "lint ok" 0
else
    leg_end "lint FAILED ($(join "${lint_bad[@]}"))" 1
fi

# ---------------------------------------------------------------- mypy
leg_start mypy "mypy (files and options from pyproject.toml)"
if .venv/bin/mypy; then leg_end "mypy ok" 0; else leg_end "mypy FAILED" 1; fi

# ---------------------------------------------------------------- migrations
leg_start migrations "manage.py makemigrations --check --dry-run"
DJANGO_SETTINGS_MODULE=qa_platform.settings.test \
    DATABASE_URL="sqlite:///$WORK/makemigrations.sqlite3" \
    "$PY" manage.py makemigrations --check --dry-run 2>&1 | tee "$WORK/makemigrations.log"
if [ "${PIPESTATUS[0]}" -eq 0 ]; then
    leg_end "migrations ok" 0
elif grep -q "^Migrations for" "$WORK/makemigrations.log"; then
    echo "==> migrations: a model change has no migration. Run: .venv/bin/python manage.py makemigrations"
    leg_end "migrations FAILED (missing migrations)" 1
else
    leg_end "migrations FAILED" 1
fi

# ---------------------------------------------------------------- deploy-check
leg_start deploy-check "manage.py check --deploy --fail-level WARNING (production settings, dummy env)"
DUMMY_SECRET=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')
if env -u SECURE_SSL_REDIRECT -u SECURE_HSTS_SECONDS -u CSRF_TRUSTED_ORIGINS \
    DJANGO_SETTINGS_MODULE=qa_platform.settings.production \
    SECRET_KEY="$DUMMY_SECRET" \
    ALLOWED_HOSTS="qa.example.test" \
    CSRF_TRUSTED_ORIGINS="https://qa.example.test" \
    BASE_URL="https://qa.example.test" \
    DATABASE_URL="sqlite:///$WORK/deploy-check.sqlite3" \
    "$PY" manage.py check --deploy --fail-level WARNING; then
    leg_end "deploy-check ok" 0
else
    leg_end "deploy-check FAILED" 1
fi
unset DUMMY_SECRET

# ---------------------------------------------------------------- sqlite
leg_start sqlite "pytest on SQLite"
pytest_leg sqlite "$WORK/sqlite.xml"

# ---------------------------------------------------------------- postgres
leg_start postgres "pytest on PostgreSQL ($PG_URL)"
pg_ping() {
    "$PY" - "$PG_URL" <<'PY' 2>/dev/null
import sys
import dj_database_url
import psycopg
c = dj_database_url.parse(sys.argv[1])
psycopg.connect(
    host=c.get("HOST") or None, port=c.get("PORT") or None, user=c.get("USER") or None,
    password=c.get("PASSWORD") or None, dbname="postgres", connect_timeout=3,
).close()
PY
}
if ! pg_ping; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] \
        && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
        echo "==> postgres: not reachable; starting the local cluster with pg_ctlcluster"
        sudo_cmd=()
        [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd=(sudo -n)
        for version in $(ls /etc/postgresql); do
            ${sudo_cmd[@]+"${sudo_cmd[@]}"} pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
        done
        for _ in $(seq 1 20); do pg_ping && break; sleep 1; done
    fi
fi
if pg_ping; then
    DATABASE_URL="$PG_URL" pytest_leg postgres "$WORK/postgres.xml"
else
    missing_service postgres "PostgreSQL is not reachable at $PG_URL" \
        "install and start PostgreSQL with a 'postgres' user that can log in over TCP from 127.0.0.1 without a password (trust), e.g. 'sudo apt-get install postgresql' and a trust line in pg_hba.conf; or set TEST_POSTGRES_URL=postgres://user:password@host:port/qa_platform"
fi

# ---------------------------------------------------------------- browser
leg_start browser "pytest -m browser tests/browser (Chromium at $CHROMIUM_PATH)"
if [ -x "$CHROMIUM_PATH" ]; then
    pytest_leg browser "$WORK/browser.xml" -m browser tests/browser
else
    missing_service browser "Chromium not found at $CHROMIUM_PATH" \
        "sudo apt-get install chromium (Debian's package; 'playwright install' is not used), or set CHROMIUM_PATH=/path/to/chromium"
fi

# ---------------------------------------------------------------- summary
T_TOTAL=$(($(date +%s) - T_START))
echo
for note in ${SKIP_NOTES[@]+"${SKIP_NOTES[@]}"}; do echo "$note"; done
echo "Timings: $(join "${TIMINGS[@]}"), total ${T_TOTAL}s"
echo "total: $TOTAL_PASSED passed, $TOTAL_FAILED failed, $TOTAL_SKIPPED skipped"
line=$(join "${SUMMARY[@]}")
if [ "$FAILED" -ne 0 ]; then
    echo "make test FAILED: $line"
    exit 1
fi
echo "make test: $line"

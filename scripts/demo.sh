#!/usr/bin/env bash
# make demo: .venv from the lock, an SQLite database with the demo data, the app on 127.0.0.1.
# Safe to re-run: setup, migrate and seed_demo each do nothing when there is nothing to do.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PORT="${PORT:-8000}"
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
    echo "demo: PORT must be a number between 1 and 65535 (got '$PORT')." >&2
    exit 2
fi

bash scripts/setup.sh

# The demo always uses the development settings and the embedded SQLite file (db.sqlite3),
# whatever the calling shell has exported for other projects.
export DJANGO_SETTINGS_MODULE=qa_platform.settings.dev
unset DATABASE_URL
PY=.venv/bin/python

if ! "$PY" - "$PORT" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
then
    echo "demo: port $PORT on 127.0.0.1 is already in use. Stop what runs there, or pick another port:" >&2
    echo "      PORT=8123 make demo" >&2
    exit 1
fi

echo "demo: migrating db.sqlite3"
"$PY" manage.py migrate --noinput -v 0
echo "demo: loading the demo data (seed_demo --scale small)"
# (seed_demo lists the logins too; they are printed once, below, just before the server starts.)
"$PY" manage.py seed_demo --scale small | sed '/^Demo logins/,$d'

cat <<MSG

  QA Platform demo: http://127.0.0.1:$PORT/
  Sign in with any of these (password for all: demo-password):

    admin@demo.test       administrator
    hr@demo.test          HR
    qa@demo.test          QA manager
    reviewer@demo.test    reviewer
    lead@demo.test        team lead (agent@demo.test is in the team)
    agent@demo.test       agent
    agent2@demo.test      agent in another department

  Content admin (Wagtail): http://127.0.0.1:$PORT/cms/    API docs: http://127.0.0.1:$PORT/api/v1/docs
  Emails are printed to this terminal. Stop with Ctrl+C.

MSG

exec "$PY" manage.py runserver "127.0.0.1:$PORT"

"""Settings for `make bench`: the dev settings on a separate bench database, as production runs.

DEBUG is off (as in production); query capture still works through CaptureQueriesContext.
`BENCH_DATABASE_URL` selects PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/qa_platform_bench;
otherwise the SQLite file bench/bench.sqlite3 is used.
"""

import os
from pathlib import Path

import dj_database_url

from qa_platform.settings.dev import *  # noqa: F403
from qa_platform.settings.dev import INSTALLED_APPS, TEMPLATES

BENCH_DIR = Path(__file__).resolve().parent
SQLITE_PATH = BENCH_DIR / "bench.sqlite3"

DEBUG = False
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "bench.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BENCH_DIR / "templates"]

# Persistent connections, as in production (conn_max_age=60).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql") and (
    "django.contrib.postgres" not in INSTALLED_APPS
):
    # Wagtail's search index uses SearchVectorField/GinIndex on PostgreSQL, which Django's
    # system checks (postgres.E005) refuse without this app.
    INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.postgres"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

# Quiet, in-memory side channels: the bench measures pages, not mail or logging.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "loggers": {"django.request": {"handlers": ["null"], "propagate": False}},
}

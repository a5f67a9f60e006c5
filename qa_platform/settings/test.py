"""Test settings: fast hashing, immediate tasks, in-memory email. DATABASE_URL picks PostgreSQL."""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / '.pytest-db.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, so `--reuse-db` keeps it between runs; DATABASE_URL=sqlite:////tmp/x.sqlite3 gives
    # each parallel worker (or checkout) its own.
    DATABASES["default"]["TEST"] = {
        "NAME": DATABASES["default"]["NAME"]
        if "DATABASE_URL" in os.environ
        else str(BASE_DIR / ".pytest-db.sqlite3")
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

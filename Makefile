# Everyday commands. The logic lives in scripts/ so it can be read and run on its own.
#   make demo    set up .venv, migrate SQLite, load demo data, run the app (PORT=8123 make demo)
#   make test    exactly what CI runs (lint, mypy, migrations, deploy check, SQLite, PostgreSQL, browser)
#   make bench   speed at scale (bench/run.py)

PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help setup demo test bench fmt clean

help:
	@echo "make demo    set up .venv from uv.lock, migrate db.sqlite3, load demo data, serve on 127.0.0.1:$(PORT)"
	@echo "             (PORT=8123 make demo for another port)"
	@echo "make test    what CI runs: ruff, mypy, makemigrations --check, check --deploy,"
	@echo "             pytest on SQLite and PostgreSQL, browser tests in Chromium"
	@echo "make bench   speed at --scale large (bench/run.py)"
	@echo "make setup   only create/refresh .venv from uv.lock"
	@echo "make fmt     ruff format and ruff check --fix"
	@echo "make clean   remove .venv, .tools, caches and test databases (keeps db.sqlite3)"

setup:
	@bash scripts/setup.sh

demo:
	@PORT="$(PORT)" bash scripts/demo.sh

test:
	@bash scripts/test.sh

bench: setup
	.venv/bin/python bench/run.py $(ARGS)
# e.g. make bench ARGS="--requests 50"; BENCH_DATABASE_URL=postgres://... make bench for PostgreSQL

fmt: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

clean:
	rm -rf .venv .tools .mypy_cache .ruff_cache .pytest_cache .pytest-db.sqlite3* test-results
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

# Two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run dev test install migrate demo lint messages db-stop clean bench

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=25.3"
	# XStatic-Bootstrap's sdist still imports pkg_resources at build time.
	echo "setuptools<81" > $(VENV)/build-constraints.txt
	$(PY) -m pip install -q --build-constraint $(VENV)/build-constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py run_reminders

run: demo
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) scripts/run.py

dev: demo
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -p no:randomly $(PYTEST_ARGS)

messages: install
	$(PY) manage.py makemessages -l nl -l fr --no-obsolete --ignore=.venv --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

# The performance budget on big-city data (not part of `make test` or CI): creates
# the scale data if missing (about 2 min for 200,000 clients), runs the reminders scan,
# the load test and the benchmark, and writes bench/results.json, bench/loadtest.json and bench/results.md.
BENCH_CLIENTS ?= 200000
bench: migrate
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py seed_scale --clients $(BENCH_CLIENTS)
	# The tasks a working day starts with (the nightly scan), then what autovacuum does.
	$(PY) manage.py run_reminders
	$(PY) manage.py bench --settle-only
	$(PY) manage.py loadtest --users 50 --seconds 60
	$(PY) manage.py bench --skip-seed --clients $(BENCH_CLIENTS)

db-stop:
	$(PY) -m ocmw.embedded_db stop

clean: db-stop
	rm -rf .pgdata .run staticfiles

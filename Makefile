# Two commands do everything on a fresh machine with Python 3.11:
#   make run   - virtualenv, install, migrate, demo data, serve on http://127.0.0.1:$(PORT)
#   make test  - virtualenv, install, lint (ruff, import layers), migration check, the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint format install migrate seed worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The browser tests (-m e2e) and the rest run side by side, one pytest process each (each with its
# own test database), so the two cores are both busy; both must pass. pytest exits 5 when it
# collected nothing: fine for one half (PYTEST_ARGS may select only browser tests), an error for both.
test: lint
	@mkdir -p test-artifacts; \
	$(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS) > test-artifacts/pytest-main.log 2>&1 & main=$$!; \
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS) > test-artifacts/pytest-e2e.log 2>&1 & e2e=$$!; \
	wait $$main; main_status=$$?; wait $$e2e; e2e_status=$$?; \
	echo "== pytest -m 'not e2e' (exit $$main_status)"; cat test-artifacts/pytest-main.log; \
	echo "== pytest -m e2e (exit $$e2e_status)"; cat test-artifacts/pytest-e2e.log; \
	if [ $$main_status -eq 5 ] && [ $$e2e_status -eq 5 ]; then \
		echo "make test: pytest collected no tests (exit 5)" >&2; exit 5; fi; \
	[ $$main_status -eq 5 ] && main_status=0; [ $$e2e_status -eq 5 ] && e2e_status=0; \
	[ $$main_status -eq 0 ] && [ $$e2e_status -eq 0 ]

worker: install
	$(BIN)/celery -A config worker --loglevel=info

beat: install
	$(BIN)/celery -A config beat --loglevel=info

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts

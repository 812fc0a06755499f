.DELETE_ON_ERROR:
.PHONY: install run test test-dates lint format lock clean

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The virtualenv is a file target: it is rebuilt whenever the dependencies or their pinned versions change.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 ou plus récent est requis"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py runportal

# bandit: the static security linter (configuration and exclusions in pyproject.toml, [tool.bandit]).
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/bandit -c pyproject.toml -r . -q

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	DJANGO_SETTINGS_MODULE=chorus.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

# The in-process suite as if today were each of these days (the end of a month, of a year, a 29 February): a test
# that only passes on some days fails here. One day: CHORUS_AUJOURDHUI=2028-02-29 make test.
DATES_SENSIBLES ?= 2026-12-31 2027-02-28 2028-02-29
test-dates: $(STAMP)
	for jour in $(DATES_SENSIBLES); do \
		CHORUS_AUJOURDHUI=$$jour $(BIN)/python -m pytest -q --ignore=tests/e2e --ignore=tests/integration || exit 1; \
	done

# Re-pin every dependency after a change to pyproject.toml (then commit requirements.lock).
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) staticfiles test-artifacts

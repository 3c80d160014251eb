# The README's two commands: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Debian packages: fonts and text shaping for the PDFs (WeasyPrint), then the browser and
# PDF tools the tests drive.
RUN_PACKAGES := fonts-ipaexfont-gothic fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 python3-venv
# postgresql: `make test` runs the suite a second time on a throw-away PostgreSQL server
# (scripts/with-postgres); the default cluster apt may start is not used.
TEST_PACKAGES := chromium poppler-utils libreoffice-calc-nogui postgresql

.PHONY: run serve test lint setup system-packages test-system-packages db check clean-venv screenshots

# `make run PORT=8001` serves on another port. DEBUG off by default, as users see it: the product's own
# Japanese error pages (templates/404.html …), not Django's debug page listing every URL; static files
# come from WhiteNoise either way. `make run DEBUG=1` turns Django's debug pages on for development.
PORT ?= 8000
DEBUG ?= 0

# The background worker that makes the report files (PDF, Excel) runs beside the server (scripts/run).
run: setup
	DJANGO_DEBUG=$(DEBUG) scripts/run $(PY) 127.0.0.1:$(PORT)

# Production settings behind gunicorn (docs/deploy.md): needs DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS
# and DATABASE_URL in the environment or in ENV_FILE. Not `setup`: no demo data in production.
serve: system-packages $(STAMP)
	@ENV_FILE="$(ENV_FILE)" scripts/serve

test: setup lint test-system-packages
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	@echo "==== テスト: SQLite と PostgreSQL を同時に実行（出力は終わってから順に表示） ===="
	scripts/test-both-databases $(PY)

setup: system-packages $(STAMP) db

# Lint and format check (configured in pyproject.toml; the same hooks in .pre-commit-config.yaml).
# django-upgrade rewrites what it would change and then fails, so a finding is fixed and reported.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/django-upgrade --target-version 5.2 $$(git ls-files '*.py' | grep -v '/migrations/')

system-packages:
	@scripts/ensure-system-packages $(RUN_PACKAGES)

test-system-packages:
	@scripts/ensure-system-packages $(TEST_PACKAGES)

# Reinstalled only when pyproject.toml changes, so a second `make run` is quick.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Never overwrites: migrations add what is missing, load_reference only adds missing
# entries, load_demo does nothing when the demo office already exists.
db: $(STAMP)
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py load_demo

clean-venv:
	rm -rf $(VENV)

# Refreshes the user guide's pictures (docs/screenshots/) from the browser tests.
screenshots: setup test-system-packages
	TSUNAGU_DOCS_SCREENSHOTS=1 $(PY) -m pytest tests/browser -q

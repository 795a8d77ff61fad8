# Servicedesk: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
SD := $(VENV)/bin/servicedesk
UV := $(shell command -v uv 2>/dev/null || echo var/tools/bin/uv)
export UV_PROJECT_ENVIRONMENT := $(VENV)
BOOTSTRAP_CSS := static/vendor/bootstrap/bootstrap.min.css
CHART_JS := static/vendor/chartjs/chart.umd.min.js

.PHONY: run install static migrate demo system test test-fast lint format bench clean

# The demo receives mail on SMTP port 2525 and writes what it sends to var/sent-mail/.
DEMO_SMTP_PORT ?= 2525
run: install static migrate demo
	SERVICEDESK_MAIL_DELIVERY=$${SERVICEDESK_MAIL_DELIVERY:-files} \
	  $(SD) serve --demo-logins --smtp-port $(DEMO_SMTP_PORT)

var/tools/bin/uv:
	python3 -m venv var/tools
	var/tools/bin/pip install --quiet uv

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	bash .ci/install-system --build
	$(UV) sync --frozen
	touch $@

# This checkout's own secret key (git-ignored), so the demo and the tests need no SECRET_KEY.
# Production sets SECRET_KEY or SECRET_KEY_FILE instead (docs/deploy.md).
LOCAL_KEY := $(or $(SERVICEDESK_DATA_DIR),var)/secret_key
$(LOCAL_KEY):
	mkdir -p $(dir $@)
	umask 077 && python3 -c "import secrets; print(secrets.token_urlsafe(50))" > $@

install: $(VENV)/.installed $(LOCAL_KEY)

$(BOOTSTRAP_CSS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor/bootstrap
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/
	touch $@

# The reports' charts (Chart.js, from npm with the lockfile like bootstrap; never a CDN).
$(CHART_JS): $(BOOTSTRAP_CSS)
	mkdir -p static/vendor/chartjs
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md static/vendor/chartjs/
	touch $@

static: $(BOOTSTRAP_CSS) $(CHART_JS)

# The OpenID provider the sign-in tests run (npm's oidc-provider), from its own lockfile.
OIDC_TEST_PROVIDER := tests/servers/oidc/node_modules/.package-lock.json
$(OIDC_TEST_PROVIDER): tests/servers/oidc/package.json tests/servers/oidc/package-lock.json
	npm ci --prefix tests/servers/oidc --no-audit --no-fund --loglevel=error
	touch $@

migrate: install
	$(SD) migrate --noinput

demo: migrate
	$(SD) load_demo

# Chromium, Dovecot, slapd: what the suite drives for real and a fresh machine lacks.
system:
	bash .ci/install-system

# The suite runs in one pytest process per core, at most four (pytest-xdist), each on a test
# database of its own: on two cores a pass takes about a third less time than in one. More
# processes than cores gained nothing and starved the timed tests. TEST_WORKERS=0 runs it in one.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$(( n < 4 ? n : 4 )))
test: system install static $(OIDC_TEST_PROVIDER)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=15

lint: install static
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(SD) makemigrations --check --dry-run
	$(SD) check --fail-level WARNING

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install static
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) var static node_modules

# Two entry points: `make run` serves the app with a demo catalog, `make test` runs the suite.
# Both set up everything they need on a fresh Debian machine (a venv, system packages, the database).

PYTHON_BIN ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= shopthelook.settings.dev
export YOLO_OFFLINE := 1
export SE_OFFLINE := true
DEMO_PER_CATEGORY ?= 100

.PHONY: run test lint format system-deps venv dev-venv migrate demo-catalog fashion-mnist clean

$(VENV)/bin/activate:
	@command -v $(PYTHON_BIN) >/dev/null || { echo "$(PYTHON_BIN) is required (Debian: apt-get install python3.11 python3.11-venv)"; exit 1; }
	$(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet pip==26.3

$(VENV)/.run-deps: requirements.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt requirements-train.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-train.txt
	@touch $@ $(VENV)/.run-deps

venv: $(VENV)/.run-deps
# Tests and model training also need the training stack (requirements-train.txt).
dev-venv: $(VENV)/.dev-deps

# Redis and Chromium come from Debian: installed when missing if we are root, else named.
# The tests also need PostgreSQL, and check the compose file (Debian's docker-compose if `docker compose` is absent).
# The tests and `make fashion-mnist` read Fashion-MNIST from Debian's dataset-fashion-mnist (never downloaded).
system-deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -n "$(WITH_TEST_TOOLS)" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing="$$missing postgresql"; fi; \
	if [ -n "$(WITH_TEST_TOOLS)" ] && ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then \
	  missing="$$missing docker-compose"; fi; \
	if [ -n "$(WITH_TEST_TOOLS)$(WITH_FASHION_MNIST)" ] && [ ! -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ]; then \
	  missing="$$missing dataset-fashion-mnist"; fi; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/bin/chromedriver ] || missing="$$missing chromium-driver"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "missing system packages:$$missing"; \
	    echo "install them with: sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

migrate: venv
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py ensure_staff

demo-catalog: venv system-deps migrate
	$(PY) manage.py seed_demo_catalog --max-per-category $(DEMO_PER_CATEGORY)
	$(PY) manage.py rebuild_index

# RUNSTACK_ARGS=--dev serves with Django's development server, which reloads on code changes.
run: venv system-deps migrate demo-catalog
	$(PY) manage.py runstack $(RUNSTACK_ARGS)

test: WITH_TEST_TOOLS = 1
test: dev-venv system-deps
	DJANGO_SETTINGS_MODULE=shopthelook.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

# The Fashion-MNIST comparison (about an hour on 2 cores): the table, curves and confusion matrices in reports/.
fashion-mnist: WITH_FASHION_MNIST = 1
fashion-mnist: dev-venv system-deps
	$(PY) manage.py train_fashion_mnist

lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev-venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

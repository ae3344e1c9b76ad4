# Two commands do everything on a fresh machine: `make run` and `make test`.
# Each creates the virtualenv, installs the pinned requirements, gets Bun from the npm
# registry, migrates the database (and, for tests, gets Debian's Chromium).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BUN_VERSION := 1.4.4
TOOLS := .tools
BUN := $(TOOLS)/node_modules/.bin/bun
# The scaled profile's engines for tests: Debian's PostgreSQL and Redis, and Azurite (the
# Azure Blob Storage emulator) from npm in a prefix of its own (`npm install --no-save`
# removes from a prefix whatever that command did not install, Bun included).
AZURITE_VERSION := 3.35.0
AZURITE := $(TOOLS)/azurite/node_modules/.bin/azurite-blob
POSTGRES := /usr/lib/postgresql/15/bin/initdb
REDIS := /usr/bin/redis-server
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 3000
BACKEND_PORT ?= 8000
# Reflex's own Bun download needs github.com; the npm registry's Bun works everywhere.
export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: help run dev test lint format export migrate clean fonts bench engines

help:
	@echo "make run     - set up and serve the app on http://localhost:$(PORT) (and the LAN)"
	@echo "make test    - set up and run lint, type check, import contract and all tests"
	@echo "make dev     - like run, with hot reload"
	@echo "make lint    - ruff, ruff format --check, pyright, lint-imports, codespell"
	@echo "make export  - static frontend build for API_URL=http://host:8000"
	@echo "make migrate - apply database migrations"
	@echo "make screenshots - remake the README's screenshots (docs/screenshots)"
	@echo "make bench   - benchmark the app and two Socket.IO peers (about 50 min; PHASES=latency for one phase; docs/performance.md)"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.runtime-installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

$(BUN):
	npm install --prefix $(TOOLS) --no-save --no-audit --no-fund --loglevel=error bun@$(BUN_VERSION)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(AZURITE):
	npm install --prefix $(TOOLS)/azurite --no-save --no-audit --no-fund --loglevel=error azurite@$(AZURITE_VERSION)

# PostgreSQL and Redis for the scaled-profile tests (each test run starts its own, on
# free loopback ports, and stops it; nothing is left running or enabled).
engines: $(AZURITE)
	@{ [ -x $(POSTGRES) ] && [ -x $(REDIS) ]; } || { $(SUDO) apt-get update -qq && \
	  $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 redis-server; }

# Chinese text and emoji in the screenshots the browser tests make for the README.
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { $(SUDO) apt-get update -qq && \
	  $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fonts-noto-color-emoji; }

migrate: $(VENV)/.runtime-installed
	$(BIN)/reflex db migrate

run: $(VENV)/.runtime-installed $(BUN) migrate
	@$(BIN)/python -m chat_app.admin setup-code
	@echo "Open http://localhost:$(PORT) here; on phones and other computers of the LAN:"
	@for ip in $$(hostname -I 2>/dev/null); do case $$ip in *:*) ;; *) echo "    http://$$ip:$(PORT)";; esac; done
	$(BIN)/reflex run --env prod --single-port --frontend-port $(PORT)

dev: $(VENV)/.runtime-installed $(BUN) migrate
	@# The page (PORT) and the backend (BACKEND_PORT) are two origins: list the page's.
	REFLEX_CORS_ALLOWED_ORIGINS=$${REFLEX_CORS_ALLOWED_ORIGINS:-http://localhost:$(PORT),http://127.0.0.1:$(PORT)} \
	  $(BIN)/reflex run --frontend-port $(PORT) --backend-port $(BACKEND_PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pyright
	$(BIN)/lint-imports
	$(BIN)/codespell

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Two halves at once: a serial run keeps the machine idle most of the time (servers start,
# tabs wait for pushes and timers). One half runs the realtime tests (backends on both
# profiles) and the service tests; the other the benchmark's smoke run, the state, HTTP
# and remaining tests, then the browser tests (docs/testing.md has their times). Each half
# has its own PostgreSQL, Redis and Azurite on free ports and prints its output when it
# ends; both must pass.
UNIT_AND_REALTIME := tests/realtime tests/services
test: $(VENV)/.dev-installed $(BUN) $(CHROMIUM) fonts engines lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-realtime-and-units test-rest-and-browsers

.PHONY: test-realtime-and-units test-rest-and-browsers
test-realtime-and-units:
	$(BIN)/python -m pytest $(UNIT_AND_REALTIME) -p no:cacheprovider

test-rest-and-browsers:
	$(BIN)/python -m pytest --ignore=tests/e2e $(addprefix --ignore=,$(UNIT_AND_REALTIME))
	$(BIN)/python -m pytest tests/e2e -p no:asyncio -W ignore::pytest.PytestConfigWarning

# The screenshot test writes to build/screenshots (git-ignored) on every `make test`; this
# target makes them and replaces the README's copies.
.PHONY: screenshots
screenshots: $(VENV)/.dev-installed $(BUN) $(CHROMIUM) fonts engines
	$(BIN)/python -m pytest tests/e2e/test_screenshots.py -p no:asyncio -W ignore::pytest.PytestConfigWarning
	cp build/screenshots/*.png docs/screenshots/

API_URL ?= http://localhost:$(BACKEND_PORT)
export: $(VENV)/.runtime-installed $(BUN)
	REFLEX_API_URL=$(API_URL) $(BIN)/reflex export --frontend-only --no-zip --env prod
	@echo "Static site in .web/build/client, talking to $(API_URL)."
	@echo "Serve it with any static server (404.html as the fallback for deep links), and run"
	@echo "the backend with: $(BIN)/reflex run --env prod --backend-only"

clean:
	rm -rf .web $(VENV) $(TOOLS) .pytest_cache .ruff_cache

# The benchmark (tests/load): the app and two peers, interleaved, ROUNDS rounds; writes
# bench-results/bench.json and bench.md (the table of docs/performance.md).
# BENCH_SERVERS=app-scaled: the app on PostgreSQL + Redis (docs/performance.md, "The scaled profile on one core").
# PHASES=latency (a comma list; tests/load/run.py names them): only those, e.g. for py-spy on
# the worker in a few minutes. QUICK=1: the smoke run's tiny loads.
ROUNDS ?= 3
BENCH_SERVERS ?= app,relay,flask
PHASES ?=
QUICK ?=
bench: $(VENV)/.dev-installed $(BUN) engines
	$(BIN)/python -m tests.load.run --rounds $(ROUNDS) --servers $(BENCH_SERVERS) --out bench-results \
	  $(if $(PHASES),--phases $(PHASES)) $(if $(QUICK),--quick)

# Peak memory with 10 worst-case pictures sent at once (issue 14, item 6): under +200 MiB.
.PHONY: bench-images
bench-images: $(VENV)/.dev-installed
	$(BIN)/python -m tests.load.image_memory

# IOP app: build / run / test plumbing.
#
#   make setup    venv + Python deps (reinstalled only when pyproject.toml changes) + bun, axe-core
#   make migrate  apply Alembic migrations to the configured DB
#   make seed     migrate; seed demo data only into a DB this creates (prints the demo sign-ins)
#   make run      setup + seed + `reflex run --env prod` on http://localhost:$(PORT)
#   make lint     ruff check . (config in pyproject.toml)
#   make test     setup + chromium + ruff + pytest
#   make bench    run bench/run.py
#
# Reflex must not phone home (this machine only reaches PyPI, apt and npm), so
# every target runs with the environment exported below.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
PYTHON311 ?= python3.11
BUN_VERSION := 1.4.5
BUN := $(ROOT)/.tools/node_modules/.bin/bun
AXE_JS := $(ROOT)/.tools/node_modules/axe-core/axe.min.js
TOOLS_STAMP := $(ROOT)/.tools/node_modules/.iop-tools.stamp
CHROMIUM ?= /usr/bin/chromium
PORT ?= 3000

# --- environment for Reflex (exported to every recipe) ------------------------
# bun from .tools (Reflex's own installer downloads from GitHub, which is unreachable).
export PATH := $(ROOT)/.tools/node_modules/.bin:$(VENV)/bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := true
# No PyPI "is reflex up to date" check.
export REFLEX_CHECK_LATEST_VERSION := false
# Skip the IPv4/IPv6 probe (httpx.head to 1.1.1.1 / 2606:4700:4700::1111).
export REFLEX_HTTP_CLIENT_BIND_ADDRESS := 0.0.0.0
# Skip the npmjs.org vs npmmirror.com latency probe; use npm's configured registry.
ifeq ($(origin NPM_CONFIG_REGISTRY),undefined)
NPM_CONFIG_REGISTRY := $(shell npm config get registry 2>/dev/null || true)
endif
ifeq ($(strip $(NPM_CONFIG_REGISTRY)),)
NPM_CONFIG_REGISTRY := https://registry.npmjs.org/
endif
export NPM_CONFIG_REGISTRY
# Belt and braces: rxconfig.py already sets telemetry_enabled=False.
export REFLEX_TELEMETRY_ENABLED := false
export PYTHONUNBUFFERED := 1
export IOP_PORT := $(PORT)

SETUP_STAMP := $(VENV)/.iop-setup.stamp

.PHONY: help setup chromium migrate seed run lint test bench clean-web

help:
	@sed -n '3,11p' $(ROOT)/Makefile | sed 's/^# \{0,1\}//'

# --- setup --------------------------------------------------------------------
$(PY):
	$(PYTHON311) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml is newer than the stamp.
$(SETUP_STAMP): $(ROOT)/pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e $(ROOT)
	touch $@

# Node tools from .tools/package-lock.json: bun (Reflex builds with it) and
# axe-core (tests/browser/test_accessibility.py injects axe.min.js). `npm ci`
# again whenever the lockfile changes, so an older .tools/node_modules that has
# bun but not axe-core is brought up to date.
$(TOOLS_STAMP): $(ROOT)/.tools/package.json $(ROOT)/.tools/package-lock.json
	cd $(ROOT)/.tools && npm ci --no-audit --no-fund
	@test "$$($(BUN) --version)" = "$(BUN_VERSION)" || { echo "bun $(BUN_VERSION) expected, got $$($(BUN) --version)"; exit 1; }
	@test -f $(AXE_JS) || { echo "$(AXE_JS) missing after npm ci"; exit 1; }
	touch $@

$(ROOT)/data:
	mkdir -p $@

setup: $(SETUP_STAMP) $(TOOLS_STAMP) | $(ROOT)/data

# Chromium for the Playwright browser tests (Playwright cannot download its own).
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get install -y chromium || { $$SUDO apt-get update && $$SUDO apt-get install -y chromium; }; \
	fi

# --- app ----------------------------------------------------------------------
migrate: setup
	cd $(ROOT) && $(PY) -m iop_app.manage migrate

# `demo` migrates, and seeds only a database that had no tables before (marked as a
# demo); any other database (`make migrate`, `create-director`) is migrated, never seeded.
seed: setup
	cd $(ROOT) && $(PY) -m iop_app.manage demo

run: setup seed
	cd $(ROOT) && exec $(VENV)/bin/reflex run --env prod --frontend-port $(PORT) --backend-port $(PORT)

# Lint first: a ruff violation fails `make test` (and CI) before any test runs.
lint: setup
	cd $(ROOT) && $(VENV)/bin/ruff check .

test: setup chromium lint
	cd $(ROOT) && $(VENV)/bin/pytest -q $(PYTEST_ARGS)

bench: setup
	cd $(ROOT) && $(PY) bench/run.py

clean-web:
	rm -rf $(ROOT)/.web $(ROOT)/.web-test

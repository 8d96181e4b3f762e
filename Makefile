# Shopcast: two commands on a fresh machine.
#   make run    venv + pinned packages, demo store loaded if the warehouse is empty, app on :8501
#   make test   the above plus dev packages, chromium and postgresql (Debian), ruff, whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
AS_OF ?= $(shell date -d yesterday +%F)
PORT ?= 8501
# OpenMP (scikit-learn's boosted forecast) waits passively instead of spinning, OpenBLAS runs each product on one
# thread (sessions already run side by side): see lib/ui/app/serve.py
export OMP_WAIT_POLICY ?= PASSIVE
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: run team test lint demo venv dev system-deps bench load clean

$(VENV)/.req-stamp: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt 2>&1 | grep -v "is ignored" || true
	$(PY) -c "import streamlit, duckdb, sqlalchemy, pandas"
	touch $@

$(VENV)/.dev-stamp: $(VENV)/.req-stamp requirements-dev.txt
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt 2>&1 | grep -v "is ignored" || true
	$(PY) -c "import pytest, hypothesis, playwright, chdb"
	touch $@

venv: $(VENV)/.req-stamp
dev: $(VENV)/.dev-stamp

# Debian packages: chromium (real-browser tests), postgresql (the SQL suite; team mode's warehouse) and
# nginx-light (team mode's proxy). `make test` needs all three, `make team` the last two.
DEBS ?= chromium postgresql nginx
system-deps:
	@missing=""; \
	case " $(DEBS) " in *" chromium "*) [ -x /usr/bin/chromium ] || missing="$$missing chromium chromium-driver";; esac; \
	case " $(DEBS) " in *" postgresql "*) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql";; esac; \
	case " $(DEBS) " in *" nginx "*) [ -x /usr/sbin/nginx ] || missing="$$missing nginx-light";; esac; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "not root: cannot install$$missing (browser/PostgreSQL/team tests will skip, or fail under CI=true)"; \
	  fi; \
	fi

demo: venv
	$(PY) -m lib.ingest.bootstrap --if-empty --seed 7 --as-of $(AS_OF)

run: venv demo
	$(PY) -m lib.ui.app.serve --server.port $(PORT)

# Team mode: REPLICAS app processes (default: one per core) behind nginx on PORT (default 8500), on one
# PostgreSQL warehouse (DATABASE_URL, or the project's own cluster under data/team/postgres). Ctrl-C stops all.
REPLICAS ?= $(shell nproc)
TEAM_PORT = $(if $(filter file,$(origin PORT)),8500,$(PORT))
team: venv
	$(MAKE) --no-print-directory system-deps DEBS="postgresql nginx"
	$(PY) -m lib.ops.team --port $(TEAM_PORT) --replicas $(REPLICAS) --as-of $(AS_OF)

lint: dev
	$(VENV)/bin/ruff check .

test: dev system-deps lint
	$(PY) -m pytest -q tests

bench: dev
	$(PY) bench/ingest.py
	$(PY) bench/analytics.py
	$(PY) bench/forecast.py
	$(PY) bench/forecast_seasonal.py
	$(PY) bench/forecast_public.py
	$(PY) bench/forecast_grains.py
	$(PY) bench/reruns.py
	$(PY) bench/marketing.py
	$(PY) bench/notebook_export.py
	$(PY) bench/pricing_calibration.py
	$(PY) bench/pricing_public.py
	$(PY) bench/promo_calibration.py
	$(PY) bench/scale.py

load: dev system-deps
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) data/shopcast.duckdb* data/demo

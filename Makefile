# The two commands the README starts with. Each creates or refreshes .venv from
# pyproject.toml, so a fresh machine needs only python3 (>= 3.10) and make.
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed

.PHONY: demo test formal clean

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/python -m scripts.demo

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

# The formal proofs alone (they also run inside make test, tests/test_formal.py).
formal: $(STAMP)
	$(VENV)/bin/python -m formal.run

clean:
	rm -rf $(VENV) build *.egg-info

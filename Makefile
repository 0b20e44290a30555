# The two commands the README starts with. Each creates or refreshes .venv from
# pyproject.toml, so a fresh machine needs only python3 (>= 3.10) and make.
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed

.PHONY: demo test formal verify docs clean

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/python -m sigmoid_hw.scripts.demo

# One test process per CPU, at most 4 (each exhaustive simulation holds one core; the files
# are dealt out whole, so a file's module fixtures are built once).
test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -n auto --maxprocesses 4 --dist loadfile

# The formal proofs alone (they also run inside make test, tests/flow/test_formal.py).
formal: $(STAMP)
	$(VENV)/bin/python -m sigmoid_hw.formal.run

# Verification at scale (README, Reliability): every input of every configuration of the
# registry through Verilator, the default's synthesized iCE40 and ECP5 netlists (Verilator;
# Icarus runs a netlist at a few hundred cycles/s), the cocotb bench of the exported Verilog
# on Icarus and Verilator,
# the cycles-per-second benchmark of pysim, Icarus and Verilator, and the Pareto runs of
# compare --pareto (every design and generate's answers at a ladder of accuracies, then
# generate against each comparison design). Progress on a terminal.
VERIFY_DIR := build/verify
verify: $(STAMP)
	$(VENV)/bin/python -m sigmoid_hw.scripts.cli verify --all --jobs 2
	$(VENV)/bin/python -m sigmoid_hw.scripts.cli export -o $(VERIFY_DIR)/sigmoid_pipeline.v --no-testbench \
		--vectors all --cocotb $(VERIFY_DIR)/cocotb
	$(VENV)/bin/python $(VERIFY_DIR)/cocotb/run.py icarus
	$(VENV)/bin/python $(VERIFY_DIR)/cocotb/run.py verilator
	$(VENV)/bin/python -m sigmoid_hw.scripts.cli verify --bench
	$(VENV)/bin/python -m sigmoid_hw.scripts.cli verify --target-mhz 90 --family ice40-up \
		--backend verilator --netlist ice40
	$(VENV)/bin/python -m sigmoid_hw.scripts.cli compare --pareto --devices up5k hx8k ecp5-85f \
		--out-dir $(VERIFY_DIR)/pareto
	$(VENV)/bin/python -m sigmoid_hw.scripts.cli compare --pareto --peers \
		--devices up5k hx8k ecp5-85f --out-dir $(VERIFY_DIR)/pareto

# The documentation site (docs/; Sphinx comes with the test extra, which includes `docs`),
# warnings as errors: a broken reference or a malformed docstring fails the build (so does
# tests/test_docs.py in make test). Opens at build/docs/html/index.html.
docs: $(STAMP)
	$(VENV)/bin/python -m sphinx -W --keep-going -q -b html docs build/docs/html
	@echo "wrote build/docs/html/index.html"

clean:
	rm -rf $(VENV) build *.egg-info docs/_generated

"""sigmoid-hw: fixed-point activation cores for small FPGAs, proved on every input.

One import name; the sub-packages are the repository's top-level folders, in
the order of the architecture (each imports only those above it)::

    sigmoid_hw.model     the specification: formats, exact references, integer models
                         (pure Python and numpy, never Amaranth)
    sigmoid_hw.hw        the gateware (Amaranth 0.5), built from the model's constants
    sigmoid_hw.flow      synthesis, place and route, simulators, vectors, cost model
    sigmoid_hw.link      the UART host link (gateware and host side)
    sigmoid_hw.boards    board tops and platforms
    sigmoid_hw.report    text, plots, waveforms
    sigmoid_hw.formal    the formal proofs (Yosys SAT, temporal induction)
    sigmoid_hw.scripts   the ``sigmoid-hw`` command line

``from sigmoid_hw.hw import SigmoidPipeline`` is the gateware's entry point;
``python -m sigmoid_hw.scripts.cli`` (or ``sigmoid-hw``) the command line.
"""

import os

# An installed wheel holds the sub-packages inside this folder (setup.py maps them there
# with setuptools' package_dir). In a source checkout they are the repository's top-level
# folders beside it: add the checkout to this package's search path, so the same imports
# work from the sources without an install (the tests' conftest, `python -m` in the tree).
_here = os.path.dirname(os.path.abspath(__file__))
_root = os.path.dirname(_here)
if (not os.path.isdir(os.path.join(_here, "hw"))
        and os.path.isfile(os.path.join(_root, "hw", "pipeline.py"))
        and os.path.isfile(os.path.join(_root, "setup.py"))):
    __path__.append(_root)

__all__ = ["model", "hw", "flow", "link", "boards", "report", "formal", "scripts"]

"""Packaging: one import name, ``sigmoid_hw``, over the repository's top-level folders.

The folders stay where they are (``hw/``, ``model/``, ...); ``package_dir`` maps each to
``sigmoid_hw.<folder>`` in the wheel, and every package below them is found here, so
nothing is left out by a list kept by hand (``tests/test_packaging.py`` checks the wheel
against the sources). The rest of the metadata is in pyproject.toml.
"""

from setuptools import find_packages, setup

FOLDERS = ("model", "hw", "flow", "link", "boards", "report", "formal", "scripts")

packages = ["sigmoid_hw"]
package_dir = {"sigmoid_hw": "sigmoid_hw"}
for folder in FOLDERS:
    package_dir["sigmoid_hw." + folder] = folder
    packages += ["sigmoid_hw." + folder] + ["sigmoid_hw.{}.{}".format(folder, sub)
                                             for sub in find_packages(folder)]

# flow/cells holds Verilog cell models, no Python: a data-only package of its own
packages.append("sigmoid_hw.flow.cells")

setup(packages=packages, package_dir=package_dir,
      package_data={"sigmoid_hw.flow": ["cost_fit.json"], "sigmoid_hw.flow.cells": ["*.v"]})

"""The wheel holds everything the commands need, and they run from it (issue 22).

A list of packages by hand left ``flow.cocotb_bench``, ``formal`` and the
Verilog cell models under ``flow/cells/`` out of the wheel: ``export
--cocotb`` and the netlist proof failed from an installed package while the
editable install of ``make`` hid it; and the wheel installed seven generic
top-level names (``hw``, ``model``, ...). Now the folders are sub-packages of one
import name, ``sigmoid_hw``. The test builds the wheel from a copy of the
source folders (as a fresh clone has them), checks its file list against the
sources, installs it (not editable) into a folder outside the source tree and
runs commands from there.
"""

import glob
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ("hw", "model", "flow", "link", "boards", "report", "scripts", "formal")

pytestmark = pytest.mark.slow


def _setuptools_builds_this():
    # pyproject's `license = "BSD-2-Clause"` needs setuptools 77 (the test extra pins it)
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= 77


def _sources(root):
    """Relative paths of the files a wheel must hold: every module and cell model."""
    found = set()
    for package in PACKAGES:
        for path in glob.glob(os.path.join(root, package, "**", "*"), recursive=True):
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if rel.endswith(".py") or (rel.startswith("flow/cells/") and rel.endswith(".v")):
                found.add("sigmoid_hw/" + rel)
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    if not _setuptools_builds_this():
        pytest.skip("needs setuptools >= 77 in this environment (pip install -e '.[test]')")
    tree = tmp_path_factory.mktemp("tree")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in PACKAGES + ("sigmoid_hw",):
        shutil.copytree(os.path.join(ROOT, package), tree / package, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(os.path.join(ROOT, name), tree / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(out), str(tree)], check=True, timeout=300)
    (path,) = glob.glob(str(out / "*.whl"))
    return path, _sources(str(tree))


def test_wheel_holds_every_module_and_the_cell_models(wheel):
    path, sources = wheel
    names = set(zipfile.ZipFile(path).namelist())
    for needed in ("flow/cocotb_bench/__init__.py", "flow/cocotb_bench/run.py",
                   "flow/cocotb_bench/stream_test.py", "formal/__init__.py",
                   "formal/harness.py", "formal/run.py", "flow/cells/ecp5_mult18x18d.v",
                   "flow/cost_fit.json"):
        assert "sigmoid_hw/" + needed in names
    assert sorted(sources - names) == []
    # one top-level import name: nothing beside sigmoid_hw/ but the wheel's metadata
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"sigmoid_hw"}


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """The wheel installed (no dependencies: the test's own environment has them) in a folder
    of its own; commands run with it first on the path and a working folder outside the
    source tree, so no module comes from the sources."""
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile",
                    "--quiet", "--target", str(site), wheel[0]], check=True, timeout=300)
    work = tmp_path_factory.mktemp("work")
    env = dict(os.environ, PYTHONPATH=str(site))

    def run(*args):
        return subprocess.run([sys.executable, *args], cwd=work, env=env, capture_output=True,
                              text=True, timeout=600)
    return site, work, run


def test_installed_package_is_the_one_imported(installed):
    site, _, run = installed
    done = run("-c", "import sigmoid_hw.scripts, sigmoid_hw.flow.cocotb_bench, "
                     "sigmoid_hw.formal.run; print(sigmoid_hw.scripts.__file__)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(site / "sigmoid_hw" / "scripts" / "__init__.py")


def test_simulate_from_the_wheel(installed):
    _, _, run = installed
    done = run("-m", "sigmoid_hw.scripts.cli", "simulate", "--count", "64", "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "mismatches 0" in done.stdout


def test_export_cocotb_and_cell_models_from_the_wheel(installed):
    _, work, run = installed
    done = run("-m", "sigmoid_hw.scripts.cli", "export", "-o", "out/p.v", "--cocotb", "out/cocotb",
               "--vectors", "16")
    assert done.returncode == 0, done.stderr
    assert {"run.py", "stream_test.py"} <= set(os.listdir(work / "out" / "cocotb"))
    # the netlist simulation's ECP5 multiplier model is package data
    done = run("-c", "from sigmoid_hw.flow.netlist import cell_library; "
                     "print(open(cell_library('ecp5', ['MULT18X18D'], 'cells.v')).read())")
    assert done.returncode == 0, done.stderr
    assert "module MULT18X18D" in done.stdout


@pytest.mark.toolchain
def test_formal_proofs_from_the_wheel(installed):
    _, _, run = installed
    done = run("-m", "sigmoid_hw.formal.run", "-k", "comparator", "--quick")
    assert done.returncode == 0, done.stdout + done.stderr
    assert " as expected, 0 not, " in done.stdout

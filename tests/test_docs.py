"""The documentation site builds warning-free (``make docs``, issue 22).

Sphinx runs with ``-W``: a broken cross-reference, a page left out of every
table of contents or a docstring that is not valid reStructuredText fails the
build, so a change that breaks the API reference fails here. Skipped where
the ``docs`` extra is not installed (``pip install -e '.[docs]'``).
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.slow


def test_docs_build_without_warnings(tmp_path):
    for module in ("sphinx", "furo", "myst_parser"):
        pytest.importorskip(module, reason="the docs extra is not installed "
                                           "(pip install -e '.[docs]')")
    out = tmp_path / "html"
    # The build's own warnings are errors (-W). Python's are not: Sphinx 9.0's napoleon
    # warns of its own deprecated calls, and PYTHONWARNINGS=error would stop the build there.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-E",
                           "-b", "html", os.path.join(ROOT, "docs"), str(out)],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-5000:]
    for page in ("index", "getting-started", "architecture", "_generated/cli",
                 "_generated/api/model", "_generated/api/hw"):
        assert (out / (page + ".html")).exists(), page
    api = (out / "_generated" / "api" / "hw.html").read_text()
    assert 'id="sigmoid_hw.hw.pipeline.SigmoidPipeline"' in api      # autodoc of a public name
    cli = (out / "_generated" / "cli.html").read_text()
    assert "sigmoid-hw simulate" in cli                      # from the argument parsers


@pytest.mark.parametrize("page", sorted(p for p in os.listdir(os.path.join(ROOT, "docs"))
                                        if p.endswith(".md")))
def test_code_examples_run(page):
    """Every ``>>>`` example of a page gives the output the page shows (one namespace per
    page, in order)."""
    import doctest
    import gc
    import warnings
    from amaranth.hdl import UnusedElaboratable
    with warnings.catch_warnings():
        # examples make components only to show their properties
        warnings.simplefilter("ignore", UnusedElaboratable)
        path = os.path.join(ROOT, "docs", page)
        with open(path) as f:
            # a Markdown fence ends an example's expected output, as a blank line does
            text = "".join("\n" if line.lstrip().startswith("```") else line for line in f)
        test = doctest.DocTestParser().get_doctest(text, {}, page, path, 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        runner.run(test)
        gc.collect()
    assert runner.failures == 0, "{} of {} examples in {} failed (output above)".format(
        runner.failures, runner.tries, page)

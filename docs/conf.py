"""Sphinx configuration of the sigmoid-hw documentation (``make docs``).

Pages are Markdown (MyST) or reStructuredText. Two kinds of page are written
by the build itself, into ``docs/_generated/`` (not kept in git):

* the API reference: one page per top-level package, one section per public
  module (a name without a leading underscore), each an ``automodule`` of
  its ``__all__``; a module added to a package appears without editing this
  file;
* the command-line reference: every ``sigmoid-hw`` subcommand's ``--help``,
  taken from the argument parsers (``sigmoid_hw.scripts.cli.build_parser``);
* the table of contents of the pages in ``docs/`` that ``index.md`` does not
  name yet (``_generated/more.md``, included by the index): a page another
  change drops into ``docs/`` is on the site, and does not fail the build as
  a page outside every table of contents.

Built with ``-W`` (warnings are errors), so a broken cross-reference or a
malformed docstring fails the build.
"""

import importlib
import os
import pkgutil
import re
import subprocess
import sys

DOCS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(DOCS)
sys.path.insert(0, ROOT)

project = "sigmoid-hw"
author = "the sigmoid-hw authors"
copyright = "2026, " + author

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
# more.md is read by index.md's include, not a page of its own
# measured/ holds tables a command wrote (methods, pareto), included by the pages that show them
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "_generated/more.md", "measured/**"]
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]
# the in-depth pages keep the heading levels they had as README sections
suppress_warnings = ["myst.header"]

# numpydoc sections (Parameters, Members, Raises) through napoleon
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_custom_sections = [("Members", "params_style")]
autodoc_member_order = "bysource"
autodoc_default_options = {"show-inheritance": True}
# Amaranth's own objects appear in signatures; they are not documented here
autodoc_typehints = "none"

html_theme = "furo"
html_title = "sigmoid-hw"
html_static_path = []


def _commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


version = release = "0.1.0 (" + _commit() + ")"

# The packages of the API reference, in the order of the architecture (CONVENTIONS.md).
API_PACKAGES = [
    ("sigmoid_hw.model", "The specification: formats, parameters, exact references, integer models"),
    ("sigmoid_hw.hw", "The gateware: Amaranth components built from the model's constants"),
    ("sigmoid_hw.boards", "Boards: the unit wrapped with a UART link for a board's bitstream"),
    ("sigmoid_hw.link", "The host link: UART, framing protocol and the host side"),
    ("sigmoid_hw.flow", "The tool flow: synthesis, place and route, simulators, vectors"),
    ("sigmoid_hw.report", "Reports: text, plots, waveforms"),
]


def _public_modules(package):
    mod = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(mod.__path__, package + "."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return names


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path) and open(path).read() == text:
        return       # unchanged: Sphinx keeps its cache
    with open(path, "w") as f:
        f.write(text)


def _own_members(name):
    """The public names ``name`` defines itself: its ``__all__`` less what it re-exports
    (a package's re-exports are documented once, where they are defined)."""
    mod = importlib.import_module(name)
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n in vars(mod) if not n.startswith("_")]
    own = []
    for member in names:
        obj = getattr(mod, member, None)
        # classes and functions carry their home module; constants are this module's
        if not callable(obj) or getattr(obj, "__module__", name) == name:
            own.append(member)
    return own


def _api_pages():
    out = os.path.join(DOCS, "_generated", "api")
    for package, title in API_PACKAGES:
        heading = "``{}``: {}".format(package, title)
        lines = [heading, "=" * len(heading), ""]
        for name in _public_modules(package):
            members = _own_members(name)
            lines += [name, "-" * max(len(name), 4), "", ".. automodule:: " + name,
                      "   :members: " + ", ".join(members) if members else
                      "   :no-members:", ""]
        _write(os.path.join(out, package.split(".")[-1] + ".rst"), "\n".join(lines))


def _cli_page():
    os.environ["COLUMNS"] = "100"      # argparse wraps the help at this width
    from sigmoid_hw.scripts.cli import build_parser
    parser = build_parser()
    sub = next(a for a in parser._actions if a.choices and "simulate" in a.choices)
    lines = ["Command-line reference", "=" * 80, "",
             "Every subcommand of ``sigmoid-hw`` with its ``--help``, as the argument parsers "
             "(``scripts/commands/``) print it. Errors are one line on stderr and exit code 2.",
             "", ".. code-block:: text", ""]
    lines += ["   " + line for line in parser.format_help().splitlines()] + [""]
    for name, command in sorted(sub.choices.items()):
        lines += ["``sigmoid-hw {}``".format(name), "-" * 80, "", ".. code-block:: text", ""]
        lines += ["   " + line if line else "" for line in command.format_help().splitlines()]
        lines.append("")
    _write(os.path.join(DOCS, "_generated", "cli.rst"), "\n".join(lines))


# |x| in a docstring is an absolute value, not a reStructuredText substitution: escape the
# bars outside inline literals (the sources stay plain text for help() and the terminal).
_LITERAL = re.compile(r"(``.*?``|`[^`]*`)")


def _escape_bars(app, what, name, obj, options, lines):
    for k, line in enumerate(lines):
        if "|" not in line:
            continue
        parts = _LITERAL.split(line)
        lines[k] = "".join(part if i % 2 else part.replace("|", "\\|")
                           for i, part in enumerate(parts))


def _init_signature(app, what, name, obj, options, signature, return_annotation):
    # Amaranth's Elaboratable.__new__(*args, src_loc_at=0, **kwargs) hides the constructor's
    # parameters from autodoc, which prefers __new__ to __init__: show __init__'s
    if what == "class" and signature and "src_loc_at" in signature:
        import inspect
        try:
            init = inspect.signature(obj.__init__)
        except (TypeError, ValueError):
            return None
        params = list(init.parameters.values())[1:]     # without self
        return str(init.replace(parameters=params)), return_annotation
    return None


def setup(app):
    app.connect("autodoc-process-docstring", _escape_bars)
    app.connect("autodoc-process-signature", _init_signature)


def _more_pages():
    with open(os.path.join(DOCS, "index.md")) as f:
        named = {line.strip() for line in f}
    pages = sorted(name[:-3] for name in os.listdir(DOCS)
                   if name.endswith(".md") and name != "index.md" and name[:-3] not in named)
    lines = ["```{toctree}", ":maxdepth: 2", ":caption: More", ""] + pages + ["```", ""]
    _write(os.path.join(DOCS, "_generated", "more.md"), "\n".join(lines) if pages else "\n")


_api_pages()
_cli_page()
_more_pages()

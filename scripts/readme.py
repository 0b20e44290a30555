"""Refresh the README's measured tables from the files the commands wrote.

The README is a landing page; its tables are not typed by hand. A table is a
block between two markers naming the Markdown file a command wrote (under
``docs/measured/``, e.g. by ``sigmoid-hw compare --pareto --peers --out-dir
docs/measured``)::

    <!-- measured: docs/measured/peers.md -->
    ...the file's text, copied here...
    <!-- end measured -->

``python -m sigmoid_hw.scripts.readme`` copies each named file into its block;
``--check`` changes nothing and exits 1 naming every block that differs from its
file (``tests/test_readme.py`` runs it, so the README cannot drift from the data).
"""

import argparse
import os
import re
import sys

__all__ = ["refresh", "stale_blocks", "main"]

BLOCK = re.compile(r"(<!-- measured: (?P<path>[^ ]+) -->\n)(?P<body>.*?)(<!-- end measured -->)",
                   re.S)


def _read(root, path):
    full = os.path.join(root, path)
    if not os.path.isfile(full):
        raise ValueError("README names {!r}, which does not exist: run the command that "
                         "writes it".format(path))
    with open(full) as f:
        text = f.read()
    return text if text.endswith("\n") else text + "\n"


def refresh(text, root):
    """``text`` with every measured block replaced by the file it names (relative to
    ``root``)."""
    return BLOCK.sub(lambda m: m.group(1) + _read(root, m.group("path")) + m.group(4), text)


def stale_blocks(text, root):
    """The paths of the blocks of ``text`` that differ from their files."""
    return [m.group("path") for m in BLOCK.finditer(text)
            if m.group("body") != _read(root, m.group("path"))]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sigmoid_hw.scripts.readme",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--readme", default="README.md", help="the file (default README.md)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a block differs from its file")
    args = parser.parse_args(argv)
    root = os.path.dirname(os.path.abspath(args.readme))
    with open(args.readme) as f:
        text = f.read()
    try:
        if args.check:
            stale = stale_blocks(text, root)
            for path in stale:
                print("{}: the block of {} differs from the file".format(args.readme, path))
            return 1 if stale else 0
        new = refresh(text, root)
    except ValueError as error:
        parser.error(str(error))
    if new != text:
        with open(args.readme, "w") as f:
            f.write(new)
    print("{}: {} measured block(s) {}".format(args.readme, len(BLOCK.findall(text)),
                                              "refreshed" if new != text else "up to date"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

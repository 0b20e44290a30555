"""The ``sigmoid-hw`` console command.

Every subcommand lives in its own module of ``sigmoid_hw.scripts.commands`` (see that
package's docstring); this file only finds them and dispatches.
"""

import argparse
import importlib
import pkgutil
import re
import shlex
import sys

from sigmoid_hw.scripts import commands

__all__ = ["build_parser", "main"]


def _command_modules():
    modules = []
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        modules.append(importlib.import_module("sigmoid_hw.scripts.commands." + info.name))
    return modules


class _Parser(argparse.ArgumentParser):
    """Errors on one line (no usage block), exit code 2.

    Values that start with a minus sign but are numbers (``-inf``, ``-3/4``,
    ``-1e-3``) are values, not options: argparse's own test knows only
    ``-1`` and ``-0.5``, so ``threshold -inf`` was taken for an option.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _NEGATIVE_NUMBER

    def error(self, message):
        self.exit(2, "{}: error: {}\n".format(self.prog, message))


_NEGATIVE_NUMBER = re.compile(
    r"^-(\d+(/\d+)?|\d*\.?\d+([eE][-+]?\d+)?|inf|infinity)$", re.IGNORECASE)


def os_error_message(exc):
    """One line for a failed file or device operation: what failed, on which path."""
    if exc.strerror and exc.filename is not None:
        return "{}: {!r}".format(exc.strerror, exc.filename)
    return str(exc)


def build_parser():
    parser = _Parser(
        prog="sigmoid-hw",
        description="A fixed-point sigmoid unit for FPGAs: model, simulation, "
                    "threshold comparator, synthesis and inspection.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in _command_modules():
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    args.command_line = "sigmoid-hw " + shlex.join(sys.argv[1:] if argv is None else argv)
    try:
        return int(args._run(args) or 0)
    except BrokenPipeError:
        # the reader (e.g. `| head`) went away: not an error of ours
        sys.stderr.close()
        return 0
    except (TypeError, ValueError) as exc:
        # Parameter errors are the user's to fix: one line, no traceback.
        print("sigmoid-hw {}: error: {}".format(args.command, exc), file=sys.stderr)
        return 2
    except OSError as exc:
        # A path that cannot be written or read (an output under /dev/null, a missing
        # input file): the user's to fix, one line as well.
        print("sigmoid-hw {}: error: {}".format(args.command, os_error_message(exc)),
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""The ``sigmoid-hw`` console command.

Every subcommand lives in its own module of ``scripts.commands`` (see that
package's docstring); this file only finds them and dispatches.
"""

import argparse
import importlib
import pkgutil
import sys

from scripts import commands

__all__ = ["build_parser", "main"]


def _command_modules():
    modules = []
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        modules.append(importlib.import_module("scripts.commands." + info.name))
    return modules


class _Parser(argparse.ArgumentParser):
    """Errors on one line (no usage block), exit code 2."""

    def error(self, message):
        self.exit(2, "{}: error: {}\n".format(self.prog, message))


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


if __name__ == "__main__":
    sys.exit(main())

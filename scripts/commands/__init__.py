"""Subcommands of ``sigmoid-hw``: one module each.

A module here defines ``NAME`` (the subcommand), ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int`` (the exit code).
``sigmoid_hw.scripts.cli`` finds them all; adding a command means adding a module.
"""

"""A Markdown table of ``sigmoid-hw generate`` answers, from the reports ``--json`` printed.

    .venv/bin/python -m sigmoid_hw.scripts.generate_table docs/measured/gen24-*.json \\
        -o docs/measured/gen24.md

One row per report (the device and accuracy of its spec): the chosen design and
its options, LUT, FF, DSP, block RAM and Fmax (place and route, seed 1),
latency and initiation interval, max error and correctly rounded share (the model on every input
against the exact function), the RTL proof (backend, inputs, mismatches) and
the command that wrote the report, with its commit.
"""

import argparse
import json
import shlex
import sys

__all__ = ["markdown", "main"]

_SHOWN = ("function", "input_format", "output_bits")   # the spec says these


def _options(options):
    return ", ".join("{}={}".format(k, v) for k, v in options.items() if k not in _SHOWN) or "-"


def _proof(p):
    if not p:
        return "not run"
    return "{}: {:,} inputs, {} mismatches, {} missing{}".format(
        p["backend"], p["count"], p["mismatches"], p["missing"],
        "" if p["passed"] else " (FAILED)")


def _row(r):
    spec = r.get("spec") or {}
    where = "{} | {} | {}".format(spec.get("function", "?"), spec.get("device", "?"),
                                  spec.get("accuracy", "?"))
    if not r.get("design"):
        return "| {} | no design: {} | | | | | | | | | | `{}` |".format(
            where, r.get("failure"), _command(r.get("command", "?")))
    fmax = r["fmax_mhz"]
    return ("| {} | {} ({}) | {} | {} | {} | {} | {} | {} / {} | {:.4f} | {:.4%} | {} | `{}` "
            "({}, {:.0f} s) |").format(
        where, r["design"], _options(r["options"]), r["luts"], r["ffs"], r["dsps"],
        r["brams"], fmax if isinstance(fmax, str) else "{:.1f}".format(fmax), r["latency"],
        r.get("interval", 1), r["max_ulp"], r["correctly_rounded"], _proof(r.get("rtl_proof")),
        _command(r.get("command", "?")), r.get("commit", "?"), r.get("seconds", float("nan")))


def _command(text):
    """The command as a shell takes it: reports before 5e5d519 joined its arguments unquoted
    (none of generate's holds a space), later ones quote them; either is split and quoted
    once."""
    try:
        return shlex.join(shlex.split(text))
    except ValueError:
        return text


def markdown(reports):
    """The table of ``reports`` (each a dict ``generate --json`` printed), one row each."""
    lines = ["| function | device | accuracy | design (options) | LUT | FF | DSP | BRAM | Fmax MHz | "
             "latency / interval (clocks) | max ulp | correctly rounded | RTL proof | "
             "command (commit, time) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    return "\n".join(lines + [_row(r) for r in reports]) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", help="JSON files generate --json printed")
    parser.add_argument("-o", "--out", default=None, help="write the table here")
    args = parser.parse_args(argv)
    reports = []
    for path in args.reports:
        with open(path) as f:
            reports.append(json.load(f))
    text = ("Rendered by `python -m sigmoid_hw.scripts.generate_table {}` from the reports "
            "`sigmoid-hw generate --json` wrote.\n\n".format(" ".join(args.reports))
            + markdown(reports))
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

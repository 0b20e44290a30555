"""``python -m sigmoid_hw.scripts.knot_table REPORT.json ... [--peers docs/measured/peers.json]
[-o FILE]``: the knot interpolation's builds beside the peers' own, as a Markdown table.

Each REPORT is what ``sigmoid-hw synth --design knot-interp --json`` printed; the peer row
of the same device and function (``interp256`` for the sigmoid, ``tanh-interp256`` for
tanh) comes from ``compare --pareto --peers``'s JSON. The verdict is that command's rule
(``sigmoid_hw.scripts.pareto``): no more DSP and block RAM, LUT within 5 % or 4 LUT
(whichever is larger), Fmax at least 90 % of the peer's, max error at most the peer's.
"""

import argparse
import json

from sigmoid_hw.hw.designs import design, make_design
from sigmoid_hw.model.function_exact import function_error_metrics

__all__ = ["markdown", "main", "PEERS"]

PEERS = {"sigmoid": "interp256", "tanh": "tanh-interp256"}


def _max_ulp(report):
    """The built design's max error on every input, from its model (the same integers)."""
    options = dict(report["options"])
    unit = make_design("knot-interp", **options)
    fmt, out = unit.input_format, unit.output_format
    x = fmt.raw_range()
    y = design("knot-interp").model(unit, x)
    return function_error_metrics(str(unit.function), y, x, fmt, out)["max_ulp"], unit


def _verdict(ours, max_ulp, peer):
    cost, worse = peer["peer_cost"], []
    for k in ("dsps", "brams"):
        if ours[k] > cost[k]:
            worse.append(k)
    if ours["luts"] > cost["luts"] + max(4, 0.05 * cost["luts"]):
        worse.append("luts")
    if ours["fmax_mhz"] < 0.9 * cost["fmax_mhz"]:
        worse.append("fmax")
    if max_ulp > peer["peer_max_ulp"]:
        worse.append("error")
    return "beats it" if not worse else "does not beat it on " + ", ".join(worse)


def markdown(reports, peers):
    lines = ["| function | device | design (plan) | max ulp | LUT / FF / DSP / BRAM / MHz "
             "| latency | peer | peer max ulp | peer LUT / FF / DSP / BRAM / MHz | verdict |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in reports:
        max_ulp, unit = _max_ulp(r)
        fn = str(unit.function)
        peer = next((p for p in peers if p["peer"] == PEERS.get(fn)
                     and p["device"] == r["device"]), None)
        plan = unit.plan
        ours = "{} / {} / {} / {} / {}".format(r["luts"], r["ffs"], r["dsps"], r["brams"],
                                               r["fmax_mhz"])
        row = [fn, r["device"], "knot-interp ({} knots, g={}, {} bits, {} product)".format(
            plan.segments, plan.guard_bits, plan.width, unit.product),
            "{:.4f}".format(max_ulp), ours,
            str(r["latency"])]
        if peer is None:
            row += ["", "", "", ""]
        else:
            c = peer["peer_cost"]
            row += [peer["peer"], "{:.3f}".format(peer["peer_max_ulp"]),
                    "{} / {} / {} / {} / {}".format(c["luts"], c["ffs"], c["dsps"],
                                                    c["brams"], c["fmax_mhz"]),
                    _verdict(r, max_ulp, peer)]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", metavar="REPORT.json")
    parser.add_argument("--peers", default="docs/measured/peers.json")
    parser.add_argument("-o", "--output", default=None)
    args = parser.parse_args(argv)
    reports = []
    for path in args.reports:
        with open(path) as f:
            reports.append(json.load(f))
    with open(args.peers) as f:
        peers = json.load(f)["rows"]
    text = ("Rendered by `python -m sigmoid_hw.scripts.knot_table {}` from the reports "
            "`sigmoid-hw synth --design knot-interp --json` wrote and the peers' rows of "
            "`{}`.\n\n".format(" ".join(args.reports), args.peers)) + markdown(reports, peers)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        print(text, end="")


if __name__ == "__main__":
    main()

"""``sigmoid-hw compare --pareto``: per device and function, the registry's designs and what
``generate`` picks at a ladder of accuracies, max error against each resource.

Rows of two kinds, at SQ(4,12) -> 16 bits (the comparison designs' format):

* ``registry``: every design of the registry that computes the function at its
  default options (the seed's pipeline and its variants, the functions on its
  core, the comparison designs, and each method design's default);
* ``generate``: the design ``generate`` chooses at each accuracy of
  ``LADDER`` (correct rounding, faithful, then 2, 4, 16 and 256 ulp), built
  and proven as ``generate`` does.

Each row has its model's max error and correctly rounded share on every input
(against the exact function), and its LUT, FF, DSP, block RAM and Fmax from
place and route (seed 1; a design the cost model's fit has built is taken
from the fit's builds). ``pareto`` marks the rows no other row of the same
device and function beats on error and every resource (``sigmoid_hw.report.pareto``).
"""

import json
import os
import time

from sigmoid_hw.hw.designs import DESIGNS, computed_function, make_design
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.report.pareto import pareto_front
from sigmoid_hw.scripts.generate import Spec, generate, model_proof
from sigmoid_hw.scripts.stamp import commit
from sigmoid_hw.scripts.options import command_line

__all__ = ["LADDER", "registry_designs", "pareto_rows", "markdown", "run_pareto",
           "add_pareto_arguments", "peer_rows", "peers_markdown"]

LADDER = ("correct", "faithful", 2.0, 4.0, 16.0, 256.0)
FORMAT, BITS = SQ(4, 12), 16


def registry_designs(function):
    """``[(design, options)]``: the registry's designs of ``function`` at their defaults."""
    out = []
    for name, record in DESIGNS.items():
        if record.kind == "method":
            out.append((name, {"function": function}))
        elif record.kind in ("pipeline", "function", "baseline") and \
                record.functions == (function,):
            out.append((name, {}))
    return out


def _label(design, options):
    extra = {k: v for k, v in options.items()
             if k not in ("function", "input_format", "output_bits")}
    return design + "".join(" {}={}".format(k, v) for k, v in extra.items())


def _built(design, options, device, fit):
    from sigmoid_hw.flow.cost import build_key
    from sigmoid_hw.flow.implement import DoesNotFit, implement
    key = build_key(design, options)
    for b in (fit or {}).get("builds", ()):
        if b["device"] == device and b["key"] == key:
            return {k: b[k] for k in ("luts", "ffs", "dsps", "brams", "fmax_mhz")}
    component = make_design(design, **options)
    try:       # a design whose block RAM alone exceeds the device is not built (minutes)
        from sigmoid_hw.flow.cost import _structural, features
        from sigmoid_hw.scripts.generate import CAPACITY
        if _structural(features(component), device)[0] > CAPACITY[device]["brams"]:
            return None
    except TypeError:
        pass                            # a fixed design: no features, build it
    from sigmoid_hw.flow.toolchain import ToolchainError
    try:
        real = implement(component, device, seed=1)
    except (DoesNotFit, ToolchainError):
        return None
    return {k: real[k] for k in ("luts", "ffs", "dsps", "brams", "fmax_mhz")}


def pareto_rows(devices, functions, *, ladder=LADDER, progress=None, build_top=2):
    """The rows (module docstring), each a dict with ``device``, ``function``, ``kind``
    (``registry`` or ``generate``), ``accuracy`` (the rung), ``design``, ``options``,
    ``label``, ``max_ulp``, ``correctly_rounded``, the resources and ``pareto``."""
    from sigmoid_hw.flow.cost import load_fit
    say = progress or (lambda text: None)
    fit = load_fit()
    rows = []
    for function in functions:
        for design, options in registry_designs(function):
            component = make_design(design, **options)
            m = model_proof(design, component)
            for device in devices:
                say("{} {} on {}".format(function, _label(design, options), device))
                real = _built(design, options, device, fit)
                rows.append(dict(device=device, function=function, kind="registry",
                                 accuracy=None, design=design, options=options,
                                 label=_label(design, options), max_ulp=m["max_ulp"],
                                 correctly_rounded=m["correctly_rounded"],
                                 fits=real is not None, **(real or {})))
        for device in devices:
            for rung in ladder:
                say("{} generate {} on {}".format(function, rung, device))
                r = generate(Spec(function, FORMAT, BITS, rung, device), build_top=build_top,
                             fit=fit)
                c = r["chosen"]
                if c is None:
                    rows.append(dict(device=device, function=function, kind="generate",
                                     accuracy=rung, design=None, failure=r["failure"]))
                    continue
                rows.append(dict(device=device, function=function, kind="generate",
                                 accuracy=rung, design=c["design"], options=c["options"],
                                 label=_label(c["design"], c["options"]),
                                 max_ulp=c["max_ulp"],
                                 correctly_rounded=c["correctly_rounded"], fits=True,
                                 **c["real"]))
    for function in functions:
        group = [r for r in rows if r["function"] == function and r.get("fits")]
        front = {id(r) for r in pareto_front(group)}
        for r in rows:
            if r["function"] == function:
                r["pareto"] = id(r) in front
    return rows


def _rung(value):
    if value is None:
        return "registry"
    return value if isinstance(value, str) else "<= {:g} ulp".format(value)


def markdown(rows, commit, command, seconds=None):
    """One table per device and function, stamped with the commit and the command."""
    lines = ["Measured at commit `{}` by `{}`{}. Filled marks (**bold**) are on the Pareto "
             "front (no other row of the device is better in max error and every resource)."
             .format(commit, command, "" if seconds is None else " in {:.0f} s".format(seconds)),
             ""]
    for function in dict.fromkeys(r["function"] for r in rows):
        for device in dict.fromkeys(r["device"] for r in rows):
            group = [r for r in rows if r["function"] == function and r["device"] == device]
            if not group:
                continue
            lines += ["### {} on {}".format(function, device), "",
                      "| from | design | max ulp | correctly rounded | LUT | FF | DSP | BRAM "
                      "| Fmax MHz |", "|---|---|---|---|---|---|---|---|---|"]
            for r in group:
                if r.get("design") is None:
                    lines.append("| {} | none: {} | | | | | | | |".format(
                        _rung(r["accuracy"]), r["failure"]))
                    continue
                name = "**{}**".format(r["label"]) if r.get("pareto") else r["label"]
                if not r.get("fits"):
                    lines.append("| {} | {} | {:.4f} | {:.3%} | does not fit | | | | |".format(
                        _rung(r["accuracy"]), name, r["max_ulp"], r["correctly_rounded"]))
                    continue
                lines.append("| {} | {} | {:.4f} | {:.3%} | {} | {} | {} | {} | {} |".format(
                    _rung(r["accuracy"]), name, r["max_ulp"], r["correctly_rounded"],
                    r["luts"], r["ffs"], r["dsps"], r["brams"], r["fmax_mhz"]))
            lines.append("")
    return "\n".join(lines)


def _write_table(folder, stem, command, seconds, rows, text):
    """``stem.json`` (the rows, the command, the time) and ``stem.md`` (``text``) in ``folder``."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, stem + ".json"), "w") as f:
        json.dump({"command": command, "seconds": round(seconds), "rows": rows}, f, indent=1,
                  default=str)
    with open(os.path.join(folder, stem + ".md"), "w") as f:
        f.write(text)


def run_pareto(args, devices):
    """``compare --pareto``: the rows, printed, and with ``--out-dir`` written there."""
    from sigmoid_hw.report.compare_plot import write_plot
    from sigmoid_hw.report.progress import bar
    start = time.monotonic()
    with bar(None, "pareto", unit="step", enabled=not args.no_progress) as progress:
        def say(text):
            progress.set_postfix_str(text[:60])
            progress.update()
        if args.peers:
            rows = peer_rows(devices, progress=say)
        else:
            rows = pareto_rows(devices, args.pareto_functions, progress=say)
    seconds = time.monotonic() - start
    command = command_line(args)
    if args.peers:
        text = peers_markdown(rows, commit(), command, seconds)
        if args.out_dir:
            _write_table(args.out_dir, "peers", command, seconds, rows, text)
        print(json.dumps(rows, indent=2, default=str) if args.json else text)
        return 0
    text = markdown(rows, commit(), command, seconds)
    if args.out_dir:
        _write_table(args.out_dir, "pareto", command, seconds, rows, text)
        for function in args.pareto_functions:
            plot_rows = [dict(r, design=r["label"]) for r in rows
                         if r["function"] == function and r.get("fits")]
            if plot_rows:
                write_plot(plot_rows, os.path.join(args.out_dir,
                                                   "pareto-{}.png".format(function)), devices)
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
    else:
        print(text)
    return 0


def add_pareto_arguments(parser):
    """``compare``'s options of the Pareto run."""
    parser.add_argument("--pareto", action="store_true",
                        help="per device and function, the registry's designs and generate's "
                             "answers at a ladder of accuracies (sigmoid_hw.scripts.pareto); with "
                             "--out-dir, writes pareto.json, pareto.md and pareto.png there")
    parser.add_argument("--pareto-functions", nargs="+", default=["sigmoid", "tanh"],
                        metavar="F", help="functions of --pareto (default sigmoid tanh)")
    parser.add_argument("--peers", action="store_true",
                        help="with --pareto: also generate at each comparison design's own "
                             "max error and say whether the answer beats it (peers.md)")
    parser.add_argument("--out-dir", default=None, metavar="DIR",
                        help="where --pareto writes its table, data and figure")


def peer_rows(devices, *, progress=None, build_top=2):
    """Issue 20's first target: for each comparison design (the peers) on each device,
    ``generate`` at the peer's own measured max error (its function, SQ(4,12) -> 16 bits)
    with the peer's DSP and block RAM counts as limits and the fewest LUTs as the cost (the
    comparison designs themselves not among the candidates), and
    whether the answer beats it: no more DSP and block RAM, no more LUT (within 5 % or
    4 LUT, whichever is larger: placement noise) and at least 90 % of its Fmax."""
    from sigmoid_hw.flow.cost import load_fit
    say = progress or (lambda text: None)
    fit = load_fit()
    rows = []
    for name, record in DESIGNS.items():
        if record.kind != "baseline":
            continue
        function = record.functions[0]
        component = make_design(name)
        m = model_proof(name, component)
        for device in devices:
            say("{} on {}".format(name, device))
            peer = _built(name, {}, device, fit)
            # the peer's own budget as the limits, then the fewest LUTs: what a user with the
            # peer's accuracy and resources would ask for
            limits = {} if peer is None else dict(max_dsp=peer["dsps"], max_bram=peer["brams"])
            # the comparison designs left out: a peer answered by itself says nothing
            r = generate(Spec(function, FORMAT, BITS, max(m["max_ulp"], 0.5), device,
                              order=("luts", "dsps", "brams"), comparisons=False, **limits),
                         build_top=build_top, fit=fit)
            row = dict(peer=name, device=device, function=function, peer_max_ulp=m["max_ulp"],
                       peer_cost=peer)
            c = r["chosen"]
            if c is None:
                row.update(design=None, verdict="no design: " + r["failure"])
            else:
                real = c["real"]
                row.update(design=c["design"], options=c["options"],
                           label=_label(c["design"], c["options"]), max_ulp=c["max_ulp"],
                           cost=real, verdict=_beats(real, peer))
            rows.append(row)
    return rows


def _beats(ours, peer):
    if peer is None:
        return "the peer does not fit the device"
    short = [k for k in ("dsps", "brams") if ours[k] > peer[k]]
    if ours["luts"] > max(peer["luts"] * 1.05, peer["luts"] + 4):
        short.append("luts")
    if ours["fmax_mhz"] < 0.9 * peer["fmax_mhz"]:
        short.append("fmax")
    if short:
        return "does not beat it on " + ", ".join(short)
    return "beats it"


def peers_markdown(rows, commit, command, seconds=None):
    """The peer rows as a table, stamped with the commit and the command."""
    lines = ["Measured at commit `{}` by `{}`{}.".format(
        commit, command, "" if seconds is None else " in {:.0f} s".format(seconds)), "",
        "| peer | device | peer max ulp | peer LUT / DSP / BRAM / MHz | generate's design | max ulp "
        "| LUT / DSP / BRAM / MHz | verdict |", "|---|---|---|---|---|---|---|---|"]

    def cost(c):
        return "does not fit" if c is None else "{} / {} / {} / {}".format(
            c["luts"], c["dsps"], c["brams"], c["fmax_mhz"])
    for r in rows:
        lines.append("| {} | {} | {:.3f} | {} | {} | {} | {} | {} |".format(
            r["peer"], r["device"], r["peer_max_ulp"], cost(r["peer_cost"]),
            r.get("label", "none"), "" if r["design"] is None else "{:.4f}".format(
                r["max_ulp"]), "" if r["design"] is None else cost(r["cost"]), r["verdict"]))
    return "\n".join(lines) + "\n"

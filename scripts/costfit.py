"""The builds the cost model is fitted to (``sigmoid-hw generate --refit``).

``FIT_GRID`` lists, per method, the designs built on each device: the seed's
pipeline and the functions on it, every comparison design, and the methods
at 8 to 16 bits for functions of each symmetry, faithful and correct. Each
build (``sigmoid_hw.flow.implement``, seed 1) is kept with the design's features
(``sigmoid_hw.flow.cost.features``); ``refit`` writes them and the fitted models to
``flow/cost_fit.json``, building only what the file does not hold yet (so an
interrupted run resumes).
"""

import json
import os
import time

from sigmoid_hw.flow.cost import (FIT_PATH, build_key, features, fit_costs, load_fit, method_kind,
                                  model_errors, same_design)
from sigmoid_hw.hw.designs import DESIGNS, make_design

__all__ = ["FIT_GRID", "fit_grid", "only_on", "refit", "fresh_builds", "error_table", "main"]

_FORMATS = (("SQ(4,6)", 10), ("SQ(4,12)", 16))
# (rounding, degree, [(reuse, multiplier_width)]) at SQ(4,12) -> 16 bits; reuse = passes with a
# 16-bit multiplier: the correct chains' widest step (19 and 22 bits) takes 2 passes of it
_PIECEWISE_REUSE = (("correct", 2, ((1, None), (2, None), (3, 16))),
                    ("correct", 3, ((1, None), (3, None), (4, 16))),
                    ("faithful", 1, ((1, None),)),
                    ("faithful", 2, ((1, None), (2, None))),
                    ("faithful", 3, ((1, None), (3, None))))


def fit_grid():
    """``[(design, options)]`` built on every device for the fit: the fixed designs, and per
    method a few shapes (two widths, a function of each kind of fold)."""
    grid = [(name, {}) for name, r in DESIGNS.items() if r.kind == "baseline"]
    grid += [(name, {}) for name in ("pipeline", "pipeline-minimax", "pipeline-cr", "tanh",
                                     "dsigmoid", "silu")]
    for fmt, bits in _FORMATS:
        for fn in ("sigmoid", "gelu"):
            base = dict(function=fn, input_format=fmt, output_bits=bits)
            if bits < 16:
                grid.append(("table", dict(base, rounding="correct")))
            for rounding in ("faithful", "correct"):
                grid.append(("multipartite", dict(base, rounding=rounding)))
            for degree in (1, 2):
                grid.append(("piecewise", dict(base, rounding="faithful", degree=degree)))
            grid.append(("piecewise", dict(base, rounding="correct")))
    # the reduced-input table: no fold and the ones' fold, block RAM (the peers' 1024-entry
    # tables) and logic
    for fn, drop, fold, p in (("sigmoid", 6, "none", 7), ("tanh", 5, "ones", 6),
                              ("tanh", 5, "none", 7)):
        grid.append(("reduced-table", dict(function=fn, input_format="SQ(4,12)", output_bits=16,
                                           rounding="faithful", input_drop=drop, fold=fold,
                                           drop_bits=p)))
    # the piecewise shapes generate proposes at 16 bits: degree 2 and 3, each with reuse (one
    # multiplier per group of steps) and on one 16-bit multiplier (reuse = its passes)
    for fn in ("sigmoid", "tanh"):
        base = dict(function=fn, input_format="SQ(4,12)", output_bits=16)
        for rounding, degree, reuses in _PIECEWISE_REUSE:
            for reuse, width in reuses:
                extra = dict(reuse=reuse) if reuse > 1 else {}
                if width is not None:
                    extra["multiplier_width"] = width
                grid.append(("piecewise", dict(base, rounding=rounding, degree=degree, **extra)))
        # correctly rounded with every operand on the 16-bit port (the coefficient search)
        grid += [("piecewise", dict(base, rounding="correct", degree=2, operand_bits=16,
                                    **extra)) for extra in ({}, {"reuse": 2})]
    for fn in ("sigmoid", "tanh"):
        for fold in ("none", "ones"):
            grid.append(("reduced-table", dict(function=fn, input_format="SQ(4,6)",
                                               output_bits=8, rounding="faithful", input_drop=3,
                                               fold=fold)))
    # the segmented table (one word of S fields): at 10 bits everywhere, and the 16-bit
    # sigmoid and tanh tables on the ECP5 only (``ONLY_ON``: 309 to 490 Kbit, an iCE40 has 128)
    grid += [("table", dict(function="sigmoid", input_format="SQ(4,6)", output_bits=10,
                            rounding="correct", segments=4)),
             ("table", dict(function="gelu", input_format="SQ(4,6)", output_bits=10,
                            rounding="correct", segments=2))]
    for fn, counts in (("sigmoid", (1, 2, 4, 8, 16)), ("tanh", (1, 2, 4))):
        grid += [("table", dict(function=fn, input_format="SQ(4,12)", output_bits=16,
                                rounding="correct", **({"segments": s} if s > 1 else {})))
                 for s in counts]
    # values-only linear interpolation: the 16-bit sigmoid and tanh at TFLite's error and
    # faithful, and 10 bits
    for fn, fmt, bits, budget in (("sigmoid", "SQ(4,12)", 16, 1.4761833294580466),
                                  ("tanh", "SQ(4,12)", 16, 1.4761833294580466),
                                  ("sigmoid", "SQ(4,12)", 16, None), ("tanh", "SQ(4,6)", 10, None),
                                  ("sigmoid", "SQ(4,6)", 10, 2.0)):
        grid.append(("knot-interp", dict(function=fn, input_format=fmt, output_bits=bits,
                                         **({"budget_ulp": budget} if budget else {}))))
        if bits == 16 and budget:       # the unsigned product (two multiplexers)
            grid.append(("knot-interp", dict(grid[-1][1], product="unsigned")))
    seen = set()        # a shape listed twice (the 16-bit faithful chains) is built once
    return [(name, opts) for name, opts in grid
            if build_key(name, opts) not in seen and not seen.add(build_key(name, opts))]


FIT_GRID = None     # computed on use: the registry's baselines may change


def only_on(name, options):
    """The devices grid design ``(name, options)`` is built on, or None for every device:
    the 16-bit tables only where their block RAM is (the ECP5)."""
    if name == "table" and options.get("output_bits") == 16:
        return ("ecp5-85f",)
    return None


def _features(name, options):
    """The features of a grid design as the code builds it now (``None``: a fixed design)."""
    try:
        return features(make_design(name, **options))
    except TypeError:
        return None


def refit(devices, path=FIT_PATH, progress=None, limit=None):
    """Build what ``path`` lacks of the grid on ``devices``, refit, write; returns the fit.

    A build whose stored features differ from the design the same options make now (its plan
    changed since) is stale: on ``devices`` it is built again, elsewhere it stays in the file
    but out of the fit (``fresh_builds``). A design that does not fit a device or fails in
    the tools is recorded in ``unbuilt`` and not tried again."""
    from sigmoid_hw.flow.implement import DoesNotFit, implement
    from sigmoid_hw.flow.toolchain import ToolchainError
    say = progress or (lambda text: None)
    fit = load_fit(path) or {"builds": [], "models": {}}
    fit.setdefault("unbuilt", [])
    stale = [b for b in fit["builds"] if b["device"] in devices and b["features"] is not None
             and not same_design(b["features"], _features(b["design"], b["options"]))]
    seen = set()        # stale builds out, and a design built twice kept once
    fit["builds"] = [b for b in fit["builds"] if b not in stale and (b["device"], b["key"])
                     not in seen and not seen.add((b["device"], b["key"]))]
    have = {(b["device"], b["key"]) for b in fit["builds"] + fit["unbuilt"]}
    # the method units first: the fixed designs include a ROM and pipelines a device may not
    # hold, which the tools can take long to refuse
    todo = sorted(((d, name, opts) for d in devices for name, opts in fit_grid()
                   if (d, build_key(name, opts)) not in have
                   and d in (only_on(name, opts) or (d,))),
                  key=lambda job: DESIGNS[job[1]].kind != "method")
    if limit is not None:
        todo = todo[:limit]
    if stale:
        say("{} stale builds (the design changed since) built again".format(len(stale)))
    for k, (device, name, options) in enumerate(todo, 1):
        say("[{}/{}] {} {} on {}".format(k, len(todo), name, options, device))
        component = make_design(name, **options)
        try:
            feat = features(component)
        except TypeError:
            feat = None
        start = time.monotonic()
        try:
            real = implement(component, device, seed=1)
        except (DoesNotFit, ToolchainError) as e:
            fit["unbuilt"].append({"device": device, "key": build_key(name, options),
                                   "why": str(e).splitlines()[0][:200] if str(e) else
                                   type(e).__name__})
            _write(fit, path)
            continue
        fit["builds"].append({
            "device": device, "key": build_key(name, options), "design": name,
            "options": options, "kind": method_kind(component), "features": feat,
            "seconds": round(time.monotonic() - start, 1),
            **{k: real[k] for k in ("luts", "ffs", "dsps", "brams", "fmax_mhz")}})
        _write(fit, path)
    fit["models"] = fit_costs(fresh_builds(fit))
    _write(fit, path)
    return fit


def fresh_builds(fit):
    """The builds of ``fit`` that describe the designs their options make now, each with the
    features computed now (the fit's own input; stale and fixed designs left out)."""
    out = []
    for b in fit["builds"]:
        if b["features"] is None:
            continue
        now = _features(b["design"], b["options"])
        if now is not None and same_design(b["features"], now):
            out.append(dict(b, features=now))
    return out


def _write(fit, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(fit, f, indent=1)
    os.replace(tmp, path)


_UNITS = (("luts", "LUT", "{:.1f}"), ("ffs", "FF", "{:.1f}"), ("dsps", "DSP", "{:.2f}"),
          ("brams", "block RAM", "{:.2f}"), ("fmax_mhz", "Fmax (MHz)", "{:.1f}"))


def error_table(fit, devices=None):
    """The model's error against the fit's current builds (``fresh_builds``) per device and
    resource, in-sample and leave-one-out (``model_errors``), as a Markdown table."""
    builds = fresh_builds(fit)
    devices = devices or sorted({b["device"] for b in builds})
    lines = ["| device | resource | builds | mean abs error | max abs error "
             "| leave-one-out mean | leave-one-out max |", "|---|---|---|---|---|---|---|"]
    for device in devices + ["all"]:
        rows = [b for b in builds if device in ("all", b["device"])]
        if not rows:
            continue
        inside = model_errors(fit, rows)
        loo = model_errors(fit, rows, leave_one_out=True)
        for key, name, form in _UNITS:
            if key not in inside:
                continue
            out = loo.get(key, (float("nan"),) * 3)
            lines.append("| {} | {} | {} | {} | {} | {} ({} builds) | {} |".format(
                device, name, inside[key][2], form.format(inside[key][0]),
                form.format(inside[key][1]), form.format(out[0]), out[2], form.format(out[1])))
    return "\n".join(lines)


def main(argv=None):
    """``python -m sigmoid_hw.scripts.costfit [--refit DEVICE ...]``: refit on those devices
    (building what the fit lacks), then print the model's error table."""
    import argparse
    parser = argparse.ArgumentParser(prog="python -m sigmoid_hw.scripts.costfit",
                                     description=main.__doc__)
    parser.add_argument("--refit", nargs="+", default=None, metavar="DEVICE")
    args = parser.parse_args(argv)
    fit = refit(args.refit, progress=print) if args.refit else load_fit()
    if fit is None:
        raise SystemExit("no fit: run with --refit DEVICE")
    print(error_table(fit))


if __name__ == "__main__":
    main()

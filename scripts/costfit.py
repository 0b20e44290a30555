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

from sigmoid_hw.flow.cost import FIT_PATH, build_key, features, fit_costs, load_fit, method_kind
from sigmoid_hw.hw.designs import DESIGNS, make_design

__all__ = ["FIT_GRID", "fit_grid", "refit"]

_FORMATS = (("SQ(4,6)", 10), ("SQ(4,12)", 16))


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
    for fn in ("sigmoid", "tanh"):
        for fold in ("none", "ones"):
            grid.append(("reduced-table", dict(function=fn, input_format="SQ(4,6)",
                                               output_bits=8, rounding="faithful", input_drop=3,
                                               fold=fold)))
    return grid


FIT_GRID = None     # computed on use: the registry's baselines may change


def refit(devices, path=FIT_PATH, progress=None, limit=None):
    """Build what ``path`` lacks of the grid on ``devices``, refit, write; returns the fit."""
    from sigmoid_hw.flow.implement import DoesNotFit, implement
    from sigmoid_hw.flow.toolchain import ToolchainError
    say = progress or (lambda text: None)
    fit = load_fit(path) or {"builds": [], "models": {}}
    have = {(b["device"], b["key"]) for b in fit["builds"]}
    todo = [(d, name, opts) for d in devices for name, opts in fit_grid()
            if (d, build_key(name, opts)) not in have]
    if limit is not None:
        todo = todo[:limit]
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
        except (DoesNotFit, ToolchainError):
            continue
        fit["builds"].append({
            "device": device, "key": build_key(name, options), "design": name,
            "options": options, "kind": method_kind(component), "features": feat,
            "seconds": round(time.monotonic() - start, 1),
            **{k: real[k] for k in ("luts", "ffs", "dsps", "brams", "fmax_mhz")}})
        _write(fit, path)
    fit["models"] = fit_costs([b for b in fit["builds"] if b["features"] is not None])
    _write(fit, path)
    return fit


def _write(fit, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(fit, f, indent=1)
    os.replace(tmp, path)

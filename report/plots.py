"""The error figures of ``sigmoid-hw plot``: a design's function against the exact one.

The hardware values come from the bit-exact models, which equal the RTL bit
for bit: ``sigmoid_hw.model.pipeline.sigmoid_fixed`` for the sigmoid (``PipelineParams``),
``sigmoid_hw.model.function_model.function_fixed`` for tanh, sigmoid' and SiLU (the
``UnitParams`` of ``sigmoid_hw.model.functions.derive_function``). The exact values and
the errors come from certified exact integer arithmetic (``sigmoid_hw.model.accuracy``,
``sigmoid_hw.model.function_exact``), never from a float function. Three PNG files,
800 x 500 pixels each (``sigmoid.png`` is named after the function:
``tanh.png`` and so on):

* ``sigmoid.png``: hardware and exact function over the input range, with an
  inset where the curve is flat enough to see the output's steps;
* ``error_ulp.png``: the error ``y - 2^F f(x)`` in ulp against x, with
  the correctly-rounded limit (1/2 ulp) and the proven bound;
* ``error_hist.png``: the histogram of that error.
"""

import os

import numpy as np

from sigmoid_hw.model.accuracy import correctly_rounded_sigmoid, sigmoid_error_ulp
from sigmoid_hw.model.function_exact import (correctly_rounded, function_error_metrics, function_error_ulp,
                                  saturation_range)
from sigmoid_hw.model.function_model import function_fixed
from sigmoid_hw.model.params import PipelineParams
from sigmoid_hw.model.pipeline import plan_for, sigmoid_fixed
from sigmoid_hw.report.accuracy import accuracy_figures

__all__ = ["plot_data", "make_figures", "write_plots", "png_size", "plot_files", "FIGURE_SIZE",
           "DPI", "PLOT_FILES", "MAX_POINTS"]

FIGURE_SIZE = (8, 5)    # inches
DPI = 100               # 800 x 500 pixels
PLOT_FILES = ("sigmoid.png", "error_ulp.png", "error_hist.png")
MAX_POINTS = 1 << 16


def plot_files(function="sigmoid"):
    """The three file names for ``function``."""
    return ("{}.png".format(function),) + PLOT_FILES[1:]


def _curve(params, raw):
    """``(function, output f_bits, raw_y, error, metrics, bound, what, correct)`` of a design's
    model; ``correct`` marks the outputs equal to the correctly rounded value saturated into
    the output's range, as the metrics count them (tanh's +-(1 - 2^-15) near +-1 are correct
    though |error| > 1/2)."""
    if isinstance(params, PipelineParams):
        fmt, F = params.input_format, params.output_bits
        raw_y = np.asarray(sigmoid_fixed(raw, params), dtype=np.int64)
        what = "{} -> UQ(0,{}), order {}, {} coefficients".format(
            fmt, F, params.order, params.coefficients)
        return ("sigmoid", F, raw_y, sigmoid_error_ulp(raw_y, raw, fmt, F),
                accuracy_figures(raw_y, raw, fmt, F), 0.5 + float(plan_for(params).error_bound),
                what, raw_y == correctly_rounded_sigmoid(raw, fmt, F))
    if hasattr(params, "plan") and hasattr(params.plan, "problem"):
        # a method unit (sigmoid_hw.hw.methods): its model is the unit's own (sigmoid_hw.hw.designs record)
        from sigmoid_hw.hw.designs import method_design_of
        unit = params
        record = method_design_of(unit)
        function, fmt, out = str(unit.function), unit.input_format, unit.output_format
        raw_y = np.asarray(record.model(unit, raw), dtype=np.int64)
        bound = getattr(unit.plan, "error_bound", None)
        what = "{} -> {}, {} by {}".format(fmt, out, unit.rounding, record.name)
        lo, hi = saturation_range(function, out)
        correct = raw_y == np.clip(correctly_rounded(function, raw, fmt, out)[0], lo, hi)
        return (function, out.f_bits, raw_y, function_error_ulp(function, raw_y, raw, fmt, out),
                function_error_metrics(function, raw_y, raw, fmt, out),
                1.0 if bound is None else float(bound), what, correct)
    if len(getattr(params, "maps", ())) != 1:
        raise TypeError("params must be PipelineParams or the UnitParams of one function "
                        "(sigmoid_hw.model.functions.derive_function), not {!r}".format(params))
    function, fmt, out = params.functions[0], params.input_format, params.output_formats[0]
    raw_y = np.asarray(function_fixed(raw, params), dtype=np.int64)
    bound = 0.5 + float(params.maps[0].bound)
    what = "{} -> {}, {} rounding".format(fmt, out, params.rounding)
    lo, hi = saturation_range(function, out)
    correct = raw_y == np.clip(correctly_rounded(function, raw, fmt, out)[0], lo, hi)
    return (function, out.f_bits, raw_y, function_error_ulp(function, raw_y, raw, fmt, out),
            function_error_metrics(function, raw_y, raw, fmt, out), bound, what, correct)


def plot_data(params, max_points=MAX_POINTS):
    """The points to plot: every input of the format, or ``max_points`` evenly spaced ones.

    ``params`` are a sigmoid pipeline's ``PipelineParams`` or the
    ``UnitParams`` of one function (``sigmoid_hw.model.functions.derive_function``).

    Returns
    -------
    dict
        ``raw_x`` (int64), ``x`` (float), ``raw_y`` (the model's output),
        ``y`` (float), ``exact`` (f(x), float64, good to 2^-52 ulp),
        ``error`` (ulp), ``correct`` (bool: the output is the correctly rounded
        value, saturated into the output's range), ``metrics`` (for the sigmoid
        ``sigmoid_hw.report.accuracy.accuracy_figures``: ``sigmoid_hw.model.accuracy.error_metrics``
        with saturation and monotonicity; for the others
        ``sigmoid_hw.model.function_exact.function_error_metrics``), ``exhaustive``
        (bool), ``params``, ``function``, ``f_bits`` (the output's fraction
        bits), ``bound`` (the proven error bound, ulp) and ``what`` (a title).
    """
    fmt = params.input_format
    count = 1 << fmt.width
    if count <= max_points:
        raw = fmt.raw_range()
    else:
        raw = np.unique(np.linspace(fmt.min, fmt.max, max_points).round().astype(np.int64))
    function, f_bits, raw_y, error, metrics, bound, what, correct = _curve(params, raw)
    scale = 2.0 ** -f_bits
    return {
        "params": params,
        "function": function,
        "f_bits": f_bits,
        "bound": bound,
        "what": what,
        "raw_x": raw,
        "x": fmt.to_float(raw),
        "raw_y": raw_y,
        "y": raw_y * scale,
        # error = raw_y - 2^F f(x), so f(x) = (raw_y - error) 2^-F
        "exact": (raw_y - error) * scale,
        "error": error,
        "correct": correct,
        "metrics": metrics,
        "exhaustive": count <= max_points,
    }


def _flat_window(data, width=400):
    """An input window where the function moves by about 10 ulp: there the output steps show."""
    F = data["f_bits"]
    slope = np.abs(np.gradient(data["exact"] * (1 << F)))   # ulp per input step
    target = 10.0 / width
    top = np.max(data["y"])
    candidates = np.flatnonzero((data["x"] > 0) & (slope > 0) & (data["y"] < top))
    if candidates.size == 0:
        return 0, min(width, data["x"].size)
    i = candidates[np.argmin(np.abs(slope[candidates] - target))]
    lo = max(0, i - width // 2)
    return lo, min(data["x"].size, lo + width)


def make_figures(data):
    """The three matplotlib figures (Agg), by file name."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = data["metrics"]
    name, bound, what = data["function"], data["bound"], data["what"]
    label = {"dsigmoid": "sigmoid'", "silu": "SiLU"}.get(name, name)
    points = "{:,} inputs{}".format(m["count"], " (all)" if data["exhaustive"] else " (sampled)")
    x, y, exact, err = data["x"], data["y"], data["exact"], data["error"]
    figures = {}

    fig, ax = plt.subplots(figsize=FIGURE_SIZE, dpi=DPI)
    ax.plot(x, exact, color="0.55", linewidth=4, label="exact {}(x)".format(label))
    ax.plot(x, y, color="tab:blue", linewidth=1, drawstyle="steps-post",
            label="hardware y (bit-exact model)")
    ax.set_xlabel("x")
    ax.set_ylabel("{}(x)".format(label))
    ax.set_title("Hardware {} vs exact: {}".format(label, what), fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    lo, hi = _flat_window(data)
    inset = ax.inset_axes([0.55, 0.1, 0.42, 0.45])
    ulp = 2.0 ** data["f_bits"]
    inset.plot(x[lo:hi], exact[lo:hi] * ulp, color="0.55", linewidth=2)
    inset.plot(x[lo:hi], y[lo:hi] * ulp, color="tab:blue", linewidth=1, drawstyle="steps-post")
    inset.set_title("zoom: x in [{:.3f}, {:.3f}], y in ulp".format(x[lo], x[hi - 1]),
                    fontsize=8)
    inset.tick_params(labelsize=7)
    inset.ticklabel_format(useOffset=True, style="plain", axis="y")
    inset.grid(True, alpha=0.3)
    files = plot_files(name)
    figures[files[0]] = fig

    fig, ax = plt.subplots(figsize=FIGURE_SIZE, dpi=DPI)
    off = ~data["correct"]       # as the title's share counts them (saturation is correct)
    ax.scatter(x[~off], err[~off], s=0.5, color="tab:blue", rasterized=True,
               label="error (ulp)")
    ax.scatter(x[off], err[off], s=6, color="tab:orange", rasterized=True,
               label="not correctly rounded: {:,}".format(int(off.sum())))
    # (not named `label`: that is the function's name in the axis label below)
    for level, style, line in ((0.5, ":", "1/2 ulp (correct rounding)"),
                               (bound, "--", "proven bound {:.3f} ulp".format(bound)),
                               (1.0, "-", "1 ulp (faithful)")):
        ax.axhline(level, color="tab:red", linestyle=style, linewidth=1, label=line)
        ax.axhline(-level, color="tab:red", linestyle=style, linewidth=1)
    ax.set_ylim(-1.1, 1.1)
    ax.set_xlabel("x")
    ax.set_ylabel("y - 2^F {}(x)  [ulp]".format(label))
    ax.set_title("Error in ulp, {}: max {:.4f} ulp, {:.1%} correctly rounded".format(
        points, m["max_ulp"], m["correctly_rounded"]), fontsize=10)
    legend = ax.legend(loc="lower left", fontsize=8, ncol=2)
    for handle in legend.legend_handles[:2]:
        handle.set_sizes([16])
    ax.grid(True, alpha=0.3)
    figures[files[1]] = fig

    fig, ax = plt.subplots(figsize=FIGURE_SIZE, dpi=DPI)
    ax.hist(err, bins=np.linspace(-1, 1, 101), color="tab:blue")
    ax.set_yscale("log")   # the few errors beyond 1/2 ulp stay visible
    for level, style in ((0.5, ":"), (bound, "--")):
        ax.axvline(level, color="tab:red", linestyle=style, linewidth=1)
        ax.axvline(-level, color="tab:red", linestyle=style, linewidth=1)
    ax.set_xlabel("y - 2^F {}(x)  [ulp]   (dotted: 1/2 ulp; dashed: proven bound)".format(label))
    ax.set_ylabel("inputs (log scale)")
    ax.set_title("Error histogram, {}: mean |error| {:.3f} ulp, max {:.4f} ulp".format(
        points, m["mean_ulp"], m["max_ulp"]), fontsize=10)
    ax.grid(True, alpha=0.3, which="both")
    figures[files[2]] = fig
    return figures


def write_plots(params, out_dir, max_points=MAX_POINTS):
    """Write the three PNGs into ``out_dir``; return ``(paths, data)``."""
    import matplotlib.pyplot as plt
    data = plot_data(params, max_points)
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for name, fig in make_figures(data).items():
        path = os.path.join(out_dir, name)
        fig.savefig(path, dpi=DPI)
        plt.close(fig)
        paths.append(path)
    return paths, data


def png_size(path):
    """(width, height) of a PNG file, from its header."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("{} is not a PNG file".format(path))
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")

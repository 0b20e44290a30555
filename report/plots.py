"""The error figures of ``sigmoid-hw plot``: a pipeline's sigmoid against the exact one.

The hardware values come from ``model.pipeline.sigmoid_fixed``, which equals
the RTL bit for bit (``tests/test_pipeline_rtl.py``); the exact values and the
errors from ``model.accuracy`` (exact integer arithmetic, no float sigmoid).
Three PNG files, 800 x 500 pixels each:

* ``sigmoid.png``: hardware and exact sigmoid over the input range, with an
  inset where the curve is flat enough to see the output's steps;
* ``error_ulp.png``: the error ``y - 2^F sigmoid(x)`` in ulp against x, with
  the correctly-rounded limit (1/2 ulp) and the proven bound;
* ``error_hist.png``: the histogram of that error.
"""

import os

import numpy as np

from model.accuracy import sigmoid_error_ulp
from model.pipeline import plan_for, sigmoid_fixed
from report.accuracy import accuracy_figures

__all__ = ["plot_data", "make_figures", "write_plots", "png_size", "FIGURE_SIZE", "DPI",
           "PLOT_FILES", "MAX_POINTS"]

FIGURE_SIZE = (8, 5)    # inches
DPI = 100               # 800 x 500 pixels
PLOT_FILES = ("sigmoid.png", "error_ulp.png", "error_hist.png")
MAX_POINTS = 1 << 16


def plot_data(params, max_points=MAX_POINTS):
    """The points to plot: every input of the format, or ``max_points`` evenly spaced ones.

    Returns
    -------
    dict
        ``raw_x`` (int64), ``x`` (float), ``raw_y`` (the model's output),
        ``y`` (float), ``exact`` (sigmoid(x), float64, good to 2^-52 ulp),
        ``error`` (ulp), ``metrics`` (``report.accuracy.accuracy_figures``:
        ``model.accuracy.error_metrics`` with saturation and monotonicity),
        ``exhaustive`` (bool) and ``params``.
    """
    fmt = params.input_format
    F = params.output_bits
    count = 1 << fmt.width
    if count <= max_points:
        raw = fmt.raw_range()
    else:
        raw = np.unique(np.linspace(fmt.min, fmt.max, max_points).round().astype(np.int64))
    raw_y = np.asarray(sigmoid_fixed(raw, params), dtype=np.int64)
    error = sigmoid_error_ulp(raw_y, raw, fmt, F)
    scale = 2.0 ** -F
    return {
        "params": params,
        "raw_x": raw,
        "x": fmt.to_float(raw),
        "raw_y": raw_y,
        "y": raw_y * scale,
        # error = raw_y - 2^F sigmoid(x), so sigmoid(x) = (raw_y - error) 2^-F
        "exact": (raw_y - error) * scale,
        "error": error,
        "metrics": accuracy_figures(raw_y, raw, fmt, F),
        "exhaustive": count <= max_points,
    }


def _flat_window(data, width=400):
    """An input window where sigmoid rises by about 10 ulp: there the output steps show."""
    F = data["params"].output_bits
    slope = np.gradient(data["exact"] * (1 << F))   # ulp per input step
    target = 10.0 / width
    candidates = np.flatnonzero((data["x"] > 0) & (slope > 0) & (data["y"] < 1 - 2.0 ** -F))
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

    p = data["params"]
    m = data["metrics"]
    plan = plan_for(p)
    bound = 0.5 + float(plan.error_bound)
    what = "{} -> UQ(0,{}), order {}, {} coefficients".format(
        p.input_format, p.output_bits, p.order, p.coefficients)
    points = "{:,} inputs{}".format(m["count"], " (all)" if data["exhaustive"] else " (sampled)")
    x, y, exact, err = data["x"], data["y"], data["exact"], data["error"]
    figures = {}

    fig, ax = plt.subplots(figsize=FIGURE_SIZE, dpi=DPI)
    ax.plot(x, exact, color="0.55", linewidth=4, label="exact sigmoid(x)")
    ax.plot(x, y, color="tab:blue", linewidth=1, drawstyle="steps-post",
            label="hardware y (bit-exact model)")
    ax.set_xlabel("x")
    ax.set_ylabel("sigmoid(x)")
    ax.set_title("Hardware sigmoid vs exact: {}".format(what), fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    lo, hi = _flat_window(data)
    inset = ax.inset_axes([0.55, 0.1, 0.42, 0.45])
    ulp = 2.0 ** p.output_bits
    inset.plot(x[lo:hi], exact[lo:hi] * ulp, color="0.55", linewidth=2)
    inset.plot(x[lo:hi], y[lo:hi] * ulp, color="tab:blue", linewidth=1, drawstyle="steps-post")
    inset.set_title("zoom: x in [{:.3f}, {:.3f}], y in ulp".format(x[lo], x[hi - 1]),
                    fontsize=8)
    inset.tick_params(labelsize=7)
    inset.ticklabel_format(useOffset=True, style="plain", axis="y")
    inset.grid(True, alpha=0.3)
    figures["sigmoid.png"] = fig

    fig, ax = plt.subplots(figsize=FIGURE_SIZE, dpi=DPI)
    off = np.abs(err) > 0.5
    ax.scatter(x[~off], err[~off], s=0.5, color="tab:blue", rasterized=True,
               label="error (ulp)")
    ax.scatter(x[off], err[off], s=6, color="tab:orange", rasterized=True,
               label="not correctly rounded: {:,}".format(int(off.sum())))
    for level, style, label in ((0.5, ":", "1/2 ulp (correct rounding)"),
                                (bound, "--", "proven bound {:.3f} ulp".format(bound)),
                                (1.0, "-", "1 ulp (faithful)")):
        ax.axhline(level, color="tab:red", linestyle=style, linewidth=1, label=label)
        ax.axhline(-level, color="tab:red", linestyle=style, linewidth=1)
    ax.set_ylim(-1.1, 1.1)
    ax.set_xlabel("x")
    ax.set_ylabel("y - 2^F sigmoid(x)  [ulp]")
    ax.set_title("Error in ulp, {}: max {:.4f} ulp, {:.1%} correctly rounded".format(
        points, m["max_ulp"], m["correctly_rounded"]), fontsize=10)
    legend = ax.legend(loc="lower left", fontsize=8, ncol=2)
    for handle in legend.legend_handles[:2]:
        handle.set_sizes([16])
    ax.grid(True, alpha=0.3)
    figures["error_ulp.png"] = fig

    fig, ax = plt.subplots(figsize=FIGURE_SIZE, dpi=DPI)
    ax.hist(err, bins=np.linspace(-1, 1, 101), color="tab:blue")
    ax.set_yscale("log")   # the few errors beyond 1/2 ulp stay visible
    for level, style in ((0.5, ":"), (bound, "--")):
        ax.axvline(level, color="tab:red", linestyle=style, linewidth=1)
        ax.axvline(-level, color="tab:red", linestyle=style, linewidth=1)
    ax.set_xlabel("y - 2^F sigmoid(x)  [ulp]   (dotted: 1/2 ulp; dashed: proven bound)")
    ax.set_ylabel("inputs (log scale)")
    ax.set_title("Error histogram, {}: mean |error| {:.3f} ulp, max {:.4f} ulp".format(
        points, m["mean_ulp"], m["max_ulp"]), fontsize=10)
    ax.grid(True, alpha=0.3, which="both")
    figures["error_hist.png"] = fig
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

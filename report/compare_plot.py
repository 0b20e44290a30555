"""The comparison's figure: max error against LUTs per device, the Pareto front filled."""

import os

from sigmoid_hw.report.pareto import pareto_front

__all__ = ["write_plot"]


def _label_offset(ax, point, text, placed):
    """An offset (points) for ``text`` next to ``point`` whose box overlaps none in ``placed``."""
    lines = text.split("\n")
    width = 4.2 * max(len(line) for line in lines) + 4   # 7-point text, in points
    height = 9.0 * len(lines)
    x, y = ax.transData.transform(point)
    scale = ax.figure.dpi / 72.0
    candidates = [(6, 4), (6, -height - 4), (-width - 6, 4), (-width - 6, -height - 4),
                  (6, height + 6), (6, -2 * height - 8)]
    for dx, dy in candidates:
        box = (x + dx * scale, y + dy * scale, x + (dx + width) * scale,
               y + (dy + height) * scale)
        if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                   for b in placed):
            placed.append(box)
            return dx, dy
    placed.append((x, y, x + width * scale, y + height * scale))
    return candidates[0]


def write_plot(rows, path, device_order=()):
    """Max error against LUTs, one panel per device; Pareto-optimal designs filled.

    ``rows`` are ``sigmoid-hw compare`` rows (``design``, ``device``,
    ``max_ulp``, ``luts``, ``dsps``, ``brams``, ``fmax_mhz``, ``fmax_note``);
    the panels follow ``device_order``, then the other devices by name.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    devices = [d for d in device_order if any(r["device"] == d for r in rows)]
    devices += sorted({r["device"] for r in rows} - set(devices))
    front = {id(r) for r in pareto_front(rows)}
    fig, axes = plt.subplots(1, len(devices), figsize=(5 * len(devices), 5), squeeze=False,
                             sharey=True)
    for ax, device in zip(axes[0], devices):
        points = [r for r in rows if r["device"] == device and r.get("max_ulp") is not None
                  and r.get("luts") is not None]
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(0.2, 5000)
        ax.set_xlim(5, 20000)
        placed = []  # label boxes in display pixels, to keep labels apart
        for r in sorted(points, key=lambda r: r["luts"]):
            filled = id(r) in front
            ax.scatter(r["luts"], r["max_ulp"], s=60, marker="o",
                       facecolors="C0" if filled else "none", edgecolors="C0")
            extra = "".join(s for s in (
                " +{} DSP".format(r["dsps"]) if r["dsps"] else "",
                " +{} BRAM".format(r["brams"]) if r["brams"] else ""))
            text = "{}{}\n{}{:.0f} MHz".format(r["design"], extra,
                                                "at most " if r.get("fmax_note") else "",
                                                r["fmax_mhz"])
            offset = _label_offset(ax, (r["luts"], r["max_ulp"]), text, placed)
            ax.annotate(text, (r["luts"], r["max_ulp"]), textcoords="offset points",
                        xytext=offset, fontsize=7)
        missing = [r["design"] for r in rows if r["device"] == device
                   and r.get("max_ulp") is not None and r.get("luts") is None]
        if missing:
            ax.text(0.02, 0.02, "does not fit: " + ", ".join(missing), transform=ax.transAxes,
                    fontsize=7, color="C3")
        ax.axhline(0.5, color="grey", linewidth=0.8, linestyle=":")
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
        ax.set_title(device)
        ax.set_xlabel("LUT4s (DSP and BRAM noted)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("max error, ulp of 2^-16 (log)")
    fig.suptitle("Accuracy against cost, SQ(4,12) -> UQ(0,16); filled: Pareto-optimal "
                 "(error, LUT, DSP, BRAM)", fontsize=9)
    fig.tight_layout()
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)

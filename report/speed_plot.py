"""Fmax against latency: the default pipeline at each target frequency, and the device limits."""

__all__ = ["speed_points", "write_speed_plot"]


def speed_points(rows, device):
    """``(latency, fmax_mhz, label)`` of ``device``'s pipeline rows (plain and ``pipeline@...``)
    that were implemented, in latency order."""
    points = [(r["latency"], r["fmax_mhz"], r["design"]) for r in rows
              if r["device"] == device and r.get("fmax_mhz") is not None
              and r.get("latency") is not None
              and (r["design"] == "pipeline" or r["design"].startswith("pipeline@"))]
    return sorted(points)


def write_speed_plot(rows, path, device_order=()):
    """One panel per device: the sweep as a line, dsp-limit and adder-limit as levels.

    ``rows`` are ``sigmoid-hw compare`` rows.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    devices = [d for d in device_order if any(r["device"] == d for r in rows)]
    devices += sorted({r["device"] for r in rows} - set(devices))
    fig, axes = plt.subplots(1, len(devices), figsize=(5 * len(devices), 4), squeeze=False)
    for ax, device in zip(axes[0], devices):
        points = speed_points(rows, device)
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], "o-", color="C0",
                    label="pipeline (nextpnr)")
            for latency, fmax, label in points:
                ax.annotate(label.replace("pipeline", "") or "none", (latency, fmax),
                            textcoords="offset points", xytext=(4, 4), fontsize=8)
        for name, color in (("dsp-limit", "C3"), ("adder-limit", "C2")):
            limit = [r["fmax_mhz"] for r in rows if r["device"] == device
                     and r["design"] == name and r.get("fmax_mhz") is not None]
            if limit:
                ax.axhline(limit[0], color=color, linestyle="--",
                           label="{} {:.0f} MHz".format(name, limit[0]))
        ax.set_title(device)
        ax.set_xlabel("latency (cycles)")
        ax.set_ylabel("Fmax (MHz)")
        ax.legend(fontsize=8, loc="lower right")
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)

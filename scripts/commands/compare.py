"""``sigmoid-hw compare``: every design side by side, accuracy and implementation, on each device.

For each design (the pipeline with table and with derived coefficients, the
threshold comparator, and the comparison designs of ``hw/baselines``) and
each device, one row: the exhaustive accuracy over all 65,536 SQ(4,12)
inputs (max and mean error in ulp of the 16-bit output, share correctly
rounded, from the bit-exact integer models and ``model.accuracy``) and the
out-of-context implementation figures of ``boards.implement`` (LUT, FF, DSP,
BRAM, Fmax) with the latency and results per second (one result per clock
for every design). Per device, a ``mac-limit`` row gives the Fmax of a bare
registered multiply-add (``hw.baselines.mac.MultiplyAdd``) as wide as the
default pipeline's widest Horner stage: the device's own limit for this kind
of datapath, to which each design's Fmax is compared (``vs_limit``).

A design that does not fit a device gets a row that says why. The direct ROM
needs 480 Kib of initialized block RAM; a device with less is reported as
not fitting without running the tools (four minutes of Yosys per device to
learn the same thing; ``--no-precheck`` runs them anyway).
"""

import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from model.fixed import SQ

__all__ = ["NAME", "HELP", "add_arguments", "run", "DESIGN_ORDER", "DEVICE_ORDER",
           "BLOCK_RAM_BITS", "accuracy_figures", "mac_limit_widths", "compare",
           "format_table", "pareto_front", "write_plot"]

NAME = "compare"
HELP = ("compare the pipeline, the threshold comparator and the baseline designs (PLAN, "
        "tables, interpolation, direct ROM): accuracy, resources, Fmax, per device")

INPUT_FORMAT = SQ(4, 12)
OUTPUT_BITS = 16
DESIGN_ORDER = ("pipeline", "pipeline-minimax", "pipeline-derived", "comparator",
                "plan", "table1024", "interp256", "rom")
DEVICE_ORDER = ("up5k", "hx8k", "ecp5-85f")
MAC_LIMIT = "mac-limit"

DESCRIPTIONS = {
    "pipeline": "seed method, Taylor coefficients from a table",
    "pipeline-minimax": "seed reduction + bit pattern, per-n minimax refit (order 4)",
    "pipeline-derived": "seed method, coefficients derived from y0",
    "comparator": "threshold decision sigmoid(x) > 1/2 (1 bit, exact)",
    "plan": "PLAN, 4 shift-and-add segments",
    "table1024": "1024-entry table, hls4ml-style",
    "interp256": "256-entry table + interpolation, TFLite",
    "rom": "direct ROM, correctly rounded",
    MAC_LIMIT: "bare registered multiply-add",
}

# Block RAM that can hold initial contents (the UP5K's 1 Mib of SPRAM cannot:
# the bitstream does not initialize it).
BLOCK_RAM_BITS = {
    "up5k": 30 * 4096,        # 30 EBR of 4 Kib
    "hx8k": 32 * 4096,        # 32 EBR of 4 Kib
    "ecp5-85f": 208 * 18432,  # 208 DP16KD of 18 Kib
}


def _make(design):
    """A fresh component for ``design`` (a name of DESIGN_ORDER or MAC_LIMIT)."""
    if design in ("pipeline", "pipeline-minimax", "pipeline-derived", "comparator"):
        from hw.designs import make_design
        return make_design(design, input_format=INPUT_FORMAT)
    if design == "plan":
        from hw.baselines.plan import PLAN
        return PLAN()
    if design == "table1024":
        from hw.baselines.table import Table1024
        return Table1024()
    if design == "interp256":
        from hw.baselines.interp import Interp256
        return Interp256()
    if design == "rom":
        from hw.baselines.rom import DirectROM
        return DirectROM()
    if design == MAC_LIMIT:
        from hw.baselines.mac import MultiplyAdd
        return MultiplyAdd(*mac_limit_widths())
    raise ValueError("Design must be one of {}, not {!r}".format(
        list(DESIGN_ORDER) + [MAC_LIMIT], design))


def mac_limit_widths(coefficients="table"):
    """``(a, b, c)`` widths of the default pipeline's widest Horner multiply-add.

    Stage k computes ``d * acc_{k+1} + A_k``: ``a`` is the widest
    ``acc_{k+1}``, ``b`` the width of d, and the addend ``c`` is taken as wide
    as the product.
    """
    from model.pipeline import derive_params, plan_for
    plan = plan_for(derive_params(INPUT_FORMAT, OUTPUT_BITS, coefficients=coefficients))
    a = max(plan.acc_width[1:])
    return a, plan.d_width, a + plan.d_width


def accuracy_figures(designs=DESIGN_ORDER):
    """``{design: error_metrics dict or None}``, exhaustive over all SQ(4,12) inputs.

    None for the comparator, whose 1-bit decision is not a sigmoid value.
    """
    from model.accuracy import error_metrics
    from model.baselines import BASELINES
    raw = INPUT_FORMAT.raw_range()
    figures = {}
    for design in designs:
        if design in BASELINES:
            y = BASELINES[design](raw)
        elif design in ("pipeline", "pipeline-minimax", "pipeline-derived"):
            from model.pipeline import derive_params, sigmoid_fixed
            coefficients = {"pipeline": "table", "pipeline-minimax": "minimax",
                            "pipeline-derived": "derived"}[design]
            y = sigmoid_fixed(raw, derive_params(INPUT_FORMAT, OUTPUT_BITS,
                                                 coefficients=coefficients))
        else:
            figures[design] = None
            continue
        figures[design] = error_metrics(np.asarray(y, dtype=np.int64), raw, INPUT_FORMAT,
                                        OUTPUT_BITS)
    return figures


def _precheck(component, device):
    """A reason the component cannot fit ``device``, or None."""
    bits = getattr(component, "memory_bits", None)
    if bits is not None and bits > BLOCK_RAM_BITS[device]:
        return ("does not fit {}: needs {} Kib of initialized block RAM, the device has {} Kib "
                "(precheck)".format(device, bits // 1024, BLOCK_RAM_BITS[device] // 1024))
    return None


def _implement_job(design, device, seed, toolchain, build_dir, precheck):
    """One implementation, in a worker process: a row's device-specific fields."""
    from flow.implement import DoesNotFit, implement
    from flow.toolchain import ToolchainError
    component = _make(design)
    row = {"latency": getattr(component, "latency", None), "seed": seed}
    reason = _precheck(component, device) if precheck else None
    if reason is not None:
        component._MustUse__silence = True  # deliberately not built
        row.update(fits=False, note=reason)
        return row
    folder = None if build_dir is None else os.path.join(build_dir, design + "-" + device)
    try:
        result = implement(component, device, seed=seed, build_dir=folder, toolchain=toolchain)
    except DoesNotFit as exc:
        row.update(fits=False, note=str(exc))
        return row
    except ToolchainError as exc:
        row.update(fits=None, note="toolchain error: {}".format(str(exc).splitlines()[0]))
        return row
    row.update(fits=True, luts=result["luts"], ffs=result["ffs"],
               core_ffs=result["ffs"] - result["boundary_ffs"], dsps=result["dsps"],
               brams=result["brams"], fmax_mhz=result["fmax_mhz"],
               seconds=result["seconds"])
    if result.get("fmax_note"):
        row["fmax_note"] = result["fmax_note"]
    if result.get("critical_path"):
        path = result["critical_path"]
        row["critical_path"] = "{} -> {}, {} ns ({} logic levels)".format(
            path["from"], path["to"], path["delay_ns"], path["logic_levels"])
    return row


_RESOURCE_KEYS = ("luts", "ffs", "core_ffs", "dsps", "brams", "fmax_mhz")


def compare(devices=DEVICE_ORDER, designs=DESIGN_ORDER, *, seed=1, toolchain="yowasp",
            build_dir=None, jobs=None, precheck=True, implement_designs=True, log=None):
    """All rows: one per (device, design) plus one ``mac-limit`` row per device.

    Returns
    -------
    list of dict
        ``design``, ``device``, ``max_ulp``, ``mean_ulp``, ``correctly_rounded``,
        ``faithful``, ``luts``, ``ffs`` (with the harness's registers),
        ``core_ffs``, ``dsps``, ``brams``, ``fmax_mhz``, ``latency``,
        ``results_per_s``, ``vs_limit`` (Fmax / the device's mac-limit Fmax),
        ``fits`` and ``note``; resource fields are None where the design does
        not fit (or ``implement_designs`` is False).
    """
    accuracy = accuracy_figures(designs)
    tasks = [(design, device) for device in devices for design in list(designs) + [MAC_LIMIT]]
    results = {}
    if implement_designs:
        with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
            futures = {task: pool.submit(_implement_job, *task, seed, toolchain, build_dir,
                                         precheck) for task in tasks}
            for task, future in futures.items():
                results[task] = future.result()
                if log is not None:
                    row = results[task]
                    log("{:<17} {:<9} {}".format(task[0], task[1], "Fmax {} MHz".format(
                        row["fmax_mhz"]) if row.get("fits") else row.get("note")))
    rows = []
    for device in devices:
        limit = results.get((MAC_LIMIT, device), {}).get("fmax_mhz")
        for design in list(designs) + [MAC_LIMIT]:
            row = {"design": design, "device": device, "description": DESCRIPTIONS[design]}
            metrics = accuracy.get(design)
            for key in ("max_ulp", "mean_ulp", "correctly_rounded", "faithful"):
                row[key] = None if metrics is None else metrics[key]
            row.update({key: None for key in _RESOURCE_KEYS})
            row.update(latency=None, fits=None, note=None)
            row.update(results.get((design, device), {}))
            if row["latency"] is None:
                row["latency"] = _make_latency(design)
            fmax = row.get("fmax_mhz")
            row["results_per_s"] = None if fmax is None else round(fmax * 1e6)
            row["vs_limit"] = (round(fmax / limit, 3) if fmax is not None and limit
                               and design != MAC_LIMIT else None)
            if design == MAC_LIMIT:
                row["widths"] = list(mac_limit_widths())
                row["note"] = row["note"] or "{} x {} bits + {} bits".format(*row["widths"])
            rows.append(row)
    return rows


def _make_latency(design):
    component = _make(design)
    component._MustUse__silence = True  # only its latency is read
    return getattr(component, "latency", None)


def _fmt(value, spec):
    return "-" if value is None else format(value, spec)


def format_table(rows):
    """The human-readable table."""
    head = ("{:<17} {:<9} {:>9} {:>8} {:>7} {:>5} {:>5} {:>4} {:>5} {:>7} {:>6} {:>4} {:>8}  {}"
            .format("design", "device", "max ulp", "mean ulp", "correct", "LUT", "FF", "DSP",
                    "BRAM", "Fmax", "/limit", "lat", "Mres/s", "note"))
    lines = [head, "-" * len(head)]
    previous = None
    bounded_limit = {r["device"] for r in rows if r["design"] == MAC_LIMIT and r.get("fmax_note")}
    for r in rows:
        if previous is not None and r["device"] != previous:
            lines.append("")
        previous = r["device"]
        correct = None if r["correctly_rounded"] is None else 100 * r["correctly_rounded"]
        rate = None if r["results_per_s"] is None else r["results_per_s"] / 1e6
        note = r.get("note") or ""
        if r.get("fmax_note"):
            note = (note + "; " if note else "") + "Fmax is an upper bound (DSP paths untimed)"
        ratio = _fmt(r["vs_limit"], ".2f")
        if r["vs_limit"] is not None and r["device"] in bounded_limit:
            ratio += "*"
        lines.append(
            "{:<17} {:<9} {:>9} {:>8} {:>7} {:>5} {:>5} {:>4} {:>5} {:>7} {:>6} {:>4} {:>8}  {}"
            .format(r["design"], r["device"], _fmt(r["max_ulp"], ".3f"),
                    _fmt(r["mean_ulp"], ".3f"),
                    "-" if correct is None else "{:.1f}%".format(correct),
                    _fmt(r["luts"], "d"), _fmt(r["core_ffs"], "d"), _fmt(r["dsps"], "d"),
                    _fmt(r["brams"], "d"), _fmt(r["fmax_mhz"], ".1f"),
                    ratio, _fmt(r["latency"], "d"), _fmt(rate, ".1f"), note))
    if bounded_limit:
        lines.append("* against a limit that is itself an upper bound ({}: nextpnr does not time "
                     "paths through iCE40 SB_MAC16 DSPs)".format(", ".join(sorted(bounded_limit))))
    return "\n".join(lines)


def pareto_front(rows):
    """Rows (with accuracy and resources) that no other row of the same device dominates.

    Cost is (LUT, DSP, BRAM); a row dominates another when its max error and
    every cost are no larger and one is smaller.
    """
    def key(r):
        return (r["max_ulp"], r["luts"], r["dsps"], r["brams"])

    candidates = [r for r in rows if r.get("max_ulp") is not None and r.get("luts") is not None]
    front = []
    for r in candidates:
        dominated = any(o is not r and o["device"] == r["device"]
                        and all(a <= b for a, b in zip(key(o), key(r))) and key(o) != key(r)
                        for o in candidates)
        if not dominated:
            front.append(r)
    return front


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


def write_plot(rows, path):
    """Max error against LUTs, one panel per device; Pareto-optimal designs filled."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    devices = [d for d in DEVICE_ORDER if any(r["device"] == d for r in rows)]
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


def add_arguments(parser):
    from flow.implement import DEVICES
    from flow.toolchain import TOOLCHAINS
    parser.add_argument("--devices", nargs="+", default=list(DEVICE_ORDER),
                        choices=sorted(DEVICES), metavar="DEVICE",
                        help="devices (default: {})".format(" ".join(DEVICE_ORDER)))
    parser.add_argument("--designs", nargs="+", default=list(DESIGN_ORDER),
                        choices=list(DESIGN_ORDER), metavar="DESIGN",
                        help="designs (default: all: {})".format(" ".join(DESIGN_ORDER)))
    parser.add_argument("--json", action="store_true", help="print a JSON list of rows")
    parser.add_argument("--plot", metavar="FILE", default=None,
                        help="write the Pareto plot (error against LUTs) as a PNG")
    parser.add_argument("--seed", type=int, default=1, help="nextpnr placement seed (default 1)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="implementations run in parallel (default: CPU count)")
    parser.add_argument("--toolchain", choices=TOOLCHAINS, default="yowasp",
                        help="yowasp (the pip-installed tools, default) or system")
    parser.add_argument("--build-dir", default=None,
                        help="keep every implementation's files under this folder")
    parser.add_argument("--no-precheck", action="store_true",
                        help="run the tools even for a design whose memory cannot fit")
    parser.add_argument("--accuracy-only", action="store_true",
                        help="skip synthesis: accuracy and latency only")
    parser.add_argument("--load", metavar="FILE", default=None,
                        help="print (and plot) the rows of an earlier --json output instead "
                             "of running")


def run(args):
    if args.jobs is not None and args.jobs < 1:
        raise ValueError("Jobs must be a positive integer, not {!r}".format(args.jobs))
    devices = list(dict.fromkeys(args.devices))
    designs = [d for d in DESIGN_ORDER if d in args.designs]
    start = time.monotonic()

    def log(text):
        print(text, file=sys.stderr, flush=True)

    if args.load is not None:
        with open(args.load) as f:
            rows = json.load(f)
        if not isinstance(rows, list) or not all(isinstance(r, dict) and "design" in r
                                                 for r in rows):
            raise ValueError("{} is not the --json output of sigmoid-hw compare".format(
                args.load))
    else:
        rows = compare(devices, designs, seed=args.seed, toolchain=args.toolchain,
                       build_dir=args.build_dir, jobs=args.jobs,
                       precheck=not args.no_precheck,
                       implement_designs=not args.accuracy_only, log=log)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print("Exhaustive accuracy over all 65536 SQ(4,12) inputs (ulp of the 16-bit output); "
              "out-of-context implementation (seed {}); FF without the harness's registers; "
              "/limit = Fmax / the device's mac-limit Fmax".format(
                  rows[0].get("seed", args.seed) if rows else args.seed))
        print(format_table(rows))
        print("({:.0f} s)".format(time.monotonic() - start))
    if args.plot:
        write_plot(rows, args.plot)
        print("wrote {}".format(args.plot), file=sys.stderr)
    failed = [r for r in rows if r.get("fits") is None
              and not args.accuracy_only and args.load is None]
    return 1 if failed else 0

"""``sigmoid-hw compare``: every design side by side, accuracy and implementation, on each device.

For each design of ``sigmoid_hw.hw.designs`` (the pipelines, the threshold comparator,
the comparison designs of ``hw/baselines``) and each device, one row: the
exhaustive accuracy over all 65,536 SQ(4,12) inputs (max and mean error in
ulp of the 16-bit output, share correctly rounded, from each record's
bit-exact model and ``sigmoid_hw.model.accuracy``) and the out-of-context
implementation figures of ``sigmoid_hw.flow.implement`` (LUT, FF, DSP, BRAM, Fmax) with
the latency and results per second (one result per clock for every design).
``--accuracy-only`` prints the accuracy once, without implementing. The
Pareto front and its figure are ``sigmoid_hw.report.pareto`` and ``sigmoid_hw.report.compare_plot``.

Per device, four rows measure the device itself, with the same flow and seed
(``sigmoid_hw.hw.baselines.limits``): ``dsp-limit``, one registered multiply of the
device's native width (18 x 18 in a MULT18X18D on ECP5, 16 x 16 in an
SB_MAC16 on the UP5K, 16 x 16 in logic on the HX8K), and ``adder-limit``,
one registered 32-bit add. ``vs_limit`` = Fmax / dsp-limit. And with the DSP
block's own registers, by direct instance (``sigmoid_hw.hw.baselines.hard_limits``):
``dsp-hard-limit``, the multiply with every register of its block (none on
the HX8K, which has no DSP block), and ``horner-step-limit``, one hardened
Horner step (that multiply, then a registered add; the UP5K's inside its
SB_MAC16). ``vs_step_limit`` = Fmax / horner-step-limit.

The speed sweep (``--targets``): the default pipeline again at each
``target_mhz`` (rows ``pipeline@50`` ... and ``pipeline@max``, the deepest
split the delay model makes, ``sigmoid_hw.hw.timing``), each built with the device's
delay model; ``sigmoid_hw.report.compare_plot.write_speed_plot`` draws Fmax against
latency. iCE40 rows carry icetime's Fmax too (``fmax_icetime_mhz``).

``--function tanh|dsigmoid|silu`` compares that function's designs, in its own ulp, and
``--sharing`` one ActivationUnit against two pipelines (``sigmoid_hw.scripts.compare_functions``).

A design that does not fit a device gets a row that says why. The direct ROM
needs 480 Kib of initialized block RAM; a device with less is reported as
not fitting without running the tools (four minutes of Yosys per device to
learn the same thing; ``--no-precheck`` runs them anyway).
"""

import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np

from sigmoid_hw.hw.designs import DESIGNS, design
from sigmoid_hw.model.function_exact import FUNCTIONS
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.report.compare_plot import write_plot
from sigmoid_hw.report.speed_plot import write_speed_plot
from sigmoid_hw.report.progress import bar, ticking, write
from sigmoid_hw.scripts.options import (add_build_dir_argument, add_jobs_argument,
                                        add_pnr_seed_argument, add_toolchain_argument)
from sigmoid_hw.scripts.compare_functions import (VARIANTS, check_rows,
                                       function_rows, row_description, row_design,
                                       row_function, row_metrics, SHARED)
from sigmoid_hw.scripts.compare_tables import (ADDER_LIMIT, BLOCK_RAM_BITS, DSP_HARD_LIMIT, DSP_LIMIT,
                                    LIMITS, STEP_LIMIT, _precheck, _ulp_text,
                                    format_accuracy_table, format_table)

__all__ = ["NAME", "HELP", "add_arguments", "run", "DESIGN_ORDER", "DEVICE_ORDER",
           "BLOCK_RAM_BITS", "DSP_LIMIT", "ADDER_LIMIT", "LIMITS", "SWEEP", "FASTEST_MHZ",
           "sweep_name", "inspect_designs", "compare", "format_table", "format_accuracy_table"]

NAME = "compare"
HELP = ("compare the pipeline, the threshold comparator and the baseline designs (PLAN, "
        "tables, interpolation, direct ROM): accuracy, resources, Fmax, per device")

INPUT_FORMAT = SQ(4, 12)
OUTPUT_BITS = 16
DESIGN_ORDER = tuple(DESIGNS) + tuple(VARIANTS)   # the registry's order, then the -cr rows
DEVICE_ORDER = ("up5k", "hx8k", "ecp5-85f")
LIMIT_DESCRIPTIONS = {
    DSP_LIMIT: "one registered multiply of the device's native width (the device, not a sigmoid)",
    ADDER_LIMIT: "one registered 32-bit add (the device, not a sigmoid)",
    DSP_HARD_LIMIT: "one multiply in a DSP block with all its registers, by direct instance "
                    "(the device, not a sigmoid)",
    STEP_LIMIT: "one hardened Horner step: that multiply, then a registered add (the device, "
                "not a sigmoid)",
}
SWEEP = ("50", "100", "150", "200", "max")
FASTEST_MHZ = 1000.0     # "max": a target no family meets, so every split the model knows


def sweep_name(target):
    """The row name of the default pipeline at ``target`` (``"150"`` or ``"max"``)."""
    return "pipeline@{}".format(target)


def _sweep_target(name):
    target = name.split("@", 1)[1]
    return FASTEST_MHZ if target == "max" else float(target)

# Block RAM that can hold initial contents (the UP5K's 1 Mib of SPRAM cannot:
# the bitstream does not initialize it).
def _family(device):
    from sigmoid_hw.flow.implement import DEVICES
    return DEVICES[device].timing_family


def _component(name, device="ecp5-85f"):
    """A fresh component: design ``name`` of ``sigmoid_hw.hw.designs`` at SQ(4,12) -> UQ(0,16), a
    ``pipeline@target`` of the sweep, or a limit, for ``device``."""
    if name in LIMITS:
        from sigmoid_hw.hw.baselines.limits import (ADD_WIDTH, NATIVE_MULTIPLY_WIDTH, RegisteredAdd,
                                         RegisteredMultiply)
        if name == ADDER_LIMIT:
            return RegisteredAdd(ADD_WIDTH)
        if name == DSP_LIMIT:
            return RegisteredMultiply(NATIVE_MULTIPLY_WIDTH[_family(device)])
        from sigmoid_hw.hw.baselines.hard_limits import HardMultiplyLimit, HornerStepLimit
        return (HardMultiplyLimit if name == DSP_HARD_LIMIT else HornerStepLimit)(
            _family(device))
    given = {"input_format": INPUT_FORMAT, "output_bits": OUTPUT_BITS}
    if "@" in name:
        name, target = name.split("@", 1)[0], _sweep_target(name)
        given.update(target_mhz=target, family=_family(device))
    name, options = row_design(name)
    given.update(options)
    record = design(name)
    return record.make(**{k: v for k, v in given.items() if k in record.options})


def inspect_designs(designs=DESIGN_ORDER, *, function="sigmoid", progress=None):
    """What compare needs of each design before any synthesis, by name (and the limits).

    Each component is made once from its ``sigmoid_hw.hw.designs`` record and
    elaborated (so a design that cannot be built fails here, in seconds, and
    no component is left unused); its record's bit-exact model gives the
    exhaustive accuracy over all SQ(4,12) inputs, against the exact
    ``function`` where the design computes it, else its own
    (``sigmoid_hw.scripts.compare_functions.row_metrics``), in the ulp of its output.

    Returns
    -------
    dict
        ``{name: {"description", "latency", "memory_bits", "metrics"}}``;
        ``metrics`` is an ``error_metrics`` dict, or None for the comparator
        (its 1-bit decision is not a sigmoid value) and the limits. The
        latency of a sweep row or a limit depends on the device: its job
        reports it.
    """
    from amaranth.hdl import Fragment
    raw = INPUT_FORMAT.raw_range()
    found = {}
    for name in list(designs) + list(LIMITS):
        component = _component(name)
        Fragment.get(component, None)
        metrics = None
        if name not in LIMITS and design(row_design(name)[0]).kind != "comparator":
            metrics = row_metrics(name, component, raw, row_function(name, function),
                                  INPUT_FORMAT, OUTPUT_BITS)
        found[name] = {
            "description": LIMIT_DESCRIPTIONS[name] if name in LIMITS
            else row_description(name),
            "latency": getattr(component, "latency", None),
            "memory_bits": getattr(component, "memory_bits", None),
            "metrics": metrics,
        }
        if progress is not None:
            progress.update()
    return found


def _hard_limit_precheck(name, device):
    """Why a hardened limit cannot be built for ``device`` (a family with no DSP block, or
    one ``sigmoid_hw.hw.baselines.hard_limits`` does not know), or None."""
    from amaranth.hdl import Fragment
    try:
        Fragment.get(_component(name, device), None)
    except ValueError as exc:
        return "not built on {}: {}".format(device, exc)
    return None


def _implement_job(design, device, seed, toolchain, build_dir):
    """One implementation, in a worker process: a row's device-specific fields."""
    from sigmoid_hw.flow.implement import DoesNotFit, implement
    from sigmoid_hw.flow.toolchain import ToolchainError
    component = _component(design, device)
    row = {"seed": seed, "latency": getattr(component, "latency", None)}
    schedule = getattr(component, "schedule", None)
    if schedule is not None and schedule.estimate_ns:
        row["model_mhz"] = round(1000 / schedule.estimate_ns, 1)   # sigmoid_hw.hw.timing's estimate
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
    if "fmax_icetime_mhz" in result:
        row["fmax_icetime_mhz"] = result["fmax_icetime_mhz"]
    if result.get("dsp_registers"):
        row["dsp_registers"] = result["dsp_registers"]     # sigmoid_hw.flow.dsp_registers
    if result.get("fmax_note"):
        row["fmax_note"] = result["fmax_note"]
    if result.get("critical_path"):
        path = result["critical_path"]
        row["critical_path"] = "{} -> {}, {} ns ({} logic levels)".format(
            path["from"], path["to"], path["delay_ns"], path["logic_levels"])
    return row


_RESOURCE_KEYS = ("luts", "ffs", "core_ffs", "dsps", "brams", "fmax_mhz")


def compare(devices=DEVICE_ORDER, designs=DESIGN_ORDER, *, seed=1, toolchain="yowasp",
            build_dir=None, jobs=None, precheck=True, implement_designs=True, log=None,
            show_progress=True, targets=SWEEP, function="sigmoid", limits=True):
    """All rows: one per (device, design), the sweep, and the two limits per device.

    ``function``: the exact function of the accuracy columns (a design that
    does not compute it shows its own); ``limits=False`` leaves the limit
    rows out.

    ``targets``: the sweep's ``target_mhz`` values as text (``"150"``,
    ``"max"``); when ``"pipeline"`` is among ``designs`` it is built at each
    (``sweep_name``).

    ``log(text)`` is called once per finished implementation; progress bars
    (``sigmoid_hw.report.progress``) are drawn on a terminal unless ``show_progress`` is
    false.

    Returns
    -------
    list of dict
        ``design``, ``device``, ``description`` (the design's record),
        ``max_ulp``, ``mean_ulp``, ``correctly_rounded``, ``faithful``,
        ``worst_x`` (an input with the largest error, as a number), ``luts``, ``ffs`` (with the harness's registers), ``core_ffs``,
        ``dsps``, ``brams``, ``fmax_mhz``, ``latency``, ``results_per_s``,
        ``vs_limit`` (Fmax / the device's dsp-limit Fmax), ``vs_step_limit``
        (Fmax / its horner-step-limit Fmax), ``target_mhz``,
        ``model_mhz`` (the delay model's estimate, sweep rows), ``fmax_icetime_mhz``
        (iCE40), ``fits`` and
        ``note``; resource fields are None where the design does not fit (or
        ``implement_designs`` is False).
    """
    sweep = [sweep_name(t) for t in targets] if "pipeline" in designs else []
    for name in sweep:
        _sweep_target(name)   # a bad target fails here
    limit_rows = list(LIMITS) if limits else []
    names = list(designs) + sweep + limit_rows
    with bar(len(designs) + len(LIMITS), "accuracy", unit="design",
             enabled=show_progress) as progress:
        found = inspect_designs(designs, function=function, progress=progress)
    for name in sweep:
        # the same arithmetic at every target (tests/test_speed.py): the same accuracy
        found[name] = dict(found["pipeline"], latency=None,
                           description="the default pipeline at target_mhz {}".format(
                               name.split("@", 1)[1]))
    results = {}
    tasks = []
    for device in devices:
        for name in names:
            if not implement_designs:
                continue
            reason = _precheck(found[name]["memory_bits"], device) if precheck else None
            if reason is None and name in (DSP_HARD_LIMIT, STEP_LIMIT):
                reason = _hard_limit_precheck(name, device)
            if reason is not None:
                results[name, device] = {"fits": False, "note": reason, "seed": seed}
            else:
                tasks.append((name, device))
    if tasks:
        with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool, \
                bar(len(tasks), "implementations", unit="run", enabled=show_progress) as progress, \
                ticking(progress):
            futures = {pool.submit(_implement_job, *task, seed, toolchain, build_dir): task
                       for task in tasks}
            for future in as_completed(futures):
                task = futures[future]
                row = results[task] = future.result()
                progress.update()
                if log is not None:
                    log("{:<17} {:<9} {}".format(task[0], task[1], "Fmax {} MHz".format(
                        row["fmax_mhz"]) if row.get("fits") else row.get("note")))
    rows = []
    for device in devices:
        limit = results.get((DSP_LIMIT, device), {}).get("fmax_mhz")
        step = results.get((STEP_LIMIT, device), {}).get("fmax_mhz")
        for name in names:
            info = found[name]
            row = {"design": name, "device": device, "description": info["description"]}
            metrics = info["metrics"]
            for key in ("max_ulp", "mean_ulp", "correctly_rounded", "faithful"):
                row[key] = None if metrics is None else metrics[key]
            row["function"] = None if name in LIMITS else row_function(name, function)
            row["worst_x"] = (None if metrics is None
                              else float(INPUT_FORMAT.to_float(metrics["worst_x"])))
            row.update({key: None for key in _RESOURCE_KEYS})
            row.update(latency=info["latency"], fits=None, note=None)
            row.update(results.get((name, device), {}))
            row["target_mhz"] = _sweep_target(name) if "@" in name else None
            fmax = row.get("fmax_mhz")
            row["results_per_s"] = None if fmax is None else round(fmax * 1e6)
            row["vs_limit"] = (round(fmax / limit, 3) if fmax is not None and limit
                               and name not in LIMITS else None)
            row["vs_step_limit"] = (round(fmax / step, 3) if fmax is not None and step
                                    and name not in LIMITS else None)
            rows.append(row)
    return rows


def add_arguments(parser):
    from sigmoid_hw.flow.implement import DEVICES
    parser.add_argument("--devices", nargs="+", default=list(DEVICE_ORDER),
                        choices=sorted(DEVICES), metavar="DEVICE",
                        help="devices (default: {})".format(" ".join(DEVICE_ORDER)))
    parser.add_argument("--function", default="sigmoid", choices=FUNCTIONS,
                        help="compare the designs of this function, accuracy in its own ulp "
                             "(default sigmoid: the sigmoid designs)")
    parser.add_argument("--designs", nargs="+", default=None,
                        choices=list(DESIGN_ORDER), metavar="DESIGN",
                        help="designs (default: those of --function; all rows: {})".format(
                            " ".join(DESIGN_ORDER)))
    from sigmoid_hw.scripts.pareto import add_pareto_arguments
    add_pareto_arguments(parser)
    parser.add_argument("--sharing", action="store_true",
                        help="ActivationUnit(sigmoid, tanh) against one SigmoidPipeline plus "
                             "one TanhPipeline on each device: {}, their sum, the difference"
                             .format(", ".join(SHARED)))
    parser.add_argument("--json", action="store_true", help="print a JSON list of rows")
    parser.add_argument("--plot", metavar="FILE", default=None,
                        help="write the Pareto plot (error against LUTs) as a PNG")
    parser.add_argument("--targets", nargs="*", default=list(SWEEP), metavar="MHZ",
                        help="target_mhz values of the speed sweep of the default pipeline, "
                             "'max' for the deepest split (default: {}; none: no sweep)".format(
                                 " ".join(SWEEP)))
    parser.add_argument("--speed-plot", metavar="FILE", default=None,
                        help="write Fmax against latency (the sweep and the limits) as a PNG")
    add_pnr_seed_argument(parser)
    add_jobs_argument(parser)
    add_toolchain_argument(parser)
    add_build_dir_argument(parser)
    parser.add_argument("--no-precheck", action="store_true",
                        help="run the tools even for a design whose memory cannot fit")
    parser.add_argument("--accuracy-only", action="store_true",
                        help="skip synthesis: accuracy and latency only")
    parser.add_argument("--load", metavar="FILE", default=None,
                        help="print (and plot) the rows of an earlier --json output instead "
                             "of running")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args):
    devices = list(dict.fromkeys(args.devices))
    if args.pareto:
        from sigmoid_hw.scripts.pareto import run_pareto
        return run_pareto(args, devices)
    if args.sharing:
        from sigmoid_hw.scripts.compare_functions import run_sharing
        return run_sharing(args, devices, compare)
    chosen = function_rows(args.function) if args.designs is None else args.designs
    check_rows(args.function, chosen)
    order = dict.fromkeys(function_rows(args.function) + list(DESIGN_ORDER))   # -cr by its design
    designs = [d for d in order if d in chosen]
    start = time.monotonic()

    def log(text):
        write(text, file=sys.stderr)

    if args.load is not None:
        with open(args.load) as f:
            rows = json.load(f)
        if not isinstance(rows, list) or not all(isinstance(r, dict) and "design" in r
                                                 for r in rows):
            raise ValueError("{} is not the --json output of sigmoid-hw compare".format(
                args.load))
    else:
        rows = compare(devices, designs, seed=args.pnr_seed, toolchain=args.toolchain,
                       build_dir=args.build_dir, jobs=args.jobs,
                       precheck=not args.no_precheck,
                       implement_designs=not args.accuracy_only, log=log,
                       show_progress=not args.no_progress, targets=args.targets,
                       function=args.function)
    accuracy_only = args.accuracy_only or not any(r.get("fits") is not None for r in rows)
    if args.json:
        print(json.dumps(rows, indent=2))
    elif accuracy_only:
        print("Exhaustive accuracy over all 65536 SQ(4,12) inputs ({}), "
              "no implementation; lat = latency in cycles".format(_ulp_text(args.function)))
        print(format_accuracy_table(rows))
        print("({:.0f} s)".format(time.monotonic() - start))
    else:
        print("Exhaustive accuracy over all 65536 SQ(4,12) inputs ({}); "
              "out-of-context implementation (seed {}); FF without the harness's registers; "
              "/limit = Fmax / the device's dsp-limit Fmax".format(
                  _ulp_text(args.function), rows[0].get("seed", args.pnr_seed) if rows else args.pnr_seed))
        print(format_table(rows))
        print("({:.0f} s)".format(time.monotonic() - start))
    if args.plot:
        write_plot(rows, args.plot, DEVICE_ORDER)
        print("wrote {}".format(args.plot), file=sys.stderr)
    if args.speed_plot:
        write_speed_plot(rows, args.speed_plot, DEVICE_ORDER)
        print("wrote {}".format(args.speed_plot), file=sys.stderr)
    failed = [r for r in rows if r.get("fits") is None
              and not args.accuracy_only and args.load is None]
    return 1 if failed else 0

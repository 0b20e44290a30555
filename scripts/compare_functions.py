"""``compare --function`` and ``compare --sharing``: the rows of each function, and one core shared.

``--function sigmoid`` (the default) compares the sigmoid designs as before
(the pipelines, the threshold comparator, the sigmoid baselines). The others
compare the designs of that function: ``tanh`` the tanh pipeline, its
correctly rounded variant (row ``tanh-cr``), hls4ml's and TFLite's tanh
(``tanh1024``, ``tanh-interp256``) and the ``activation`` unit (its tanh
outputs; its cost is the whole unit's, sigmoid included); ``dsigmoid`` and
``silu`` their pipeline, faithful and correctly rounded. Every accuracy
figure is in the ulp of the row's own output format, against the exact
function (``sigmoid_hw.model.function_exact``, certified; never a design's model).

A ``-cr`` row is the registry's design with ``rounding="correct"``, the way
the speed sweep's ``pipeline@150`` is the pipeline with ``target_mhz``: a
row of compare, not a design of its own.

``--sharing`` measures what one ``ActivationUnit(("sigmoid", "tanh"))``
costs against a ``SigmoidPipeline`` plus a ``TanhPipeline`` (the rows
``pipeline``, ``tanh`` and ``activation``), per device: ``sharing_rows``
adds the sum of the two and the difference, ``format_sharing_table``
prints them.
"""

import json
import sys
import time

import numpy as np

from sigmoid_hw.hw.designs import DESIGNS, design
from sigmoid_hw.model.function_exact import FUNCTIONS

__all__ = ["FUNCTIONS", "VARIANTS", "SHARED", "row_design", "row_description",
           "function_rows", "check_rows", "row_function", "row_output_format", "row_metrics",
           "sharing_rows", "format_sharing_table", "run_sharing"]

# compare rows that are a registry design with options: name -> (design, options)
VARIANTS = {
    name + "-cr": (name, {"rounding": "correct"}) for name in ("tanh", "dsigmoid", "silu")
}
SHARED = ("pipeline", "tanh", "activation")     # sigmoid, tanh, and both on one core
_SUM = "pipeline+tanh"
_DIFFERENCE = "shared-sum"


def _check_function(function):
    if function not in FUNCTIONS:
        raise ValueError("function must be one of {}, not {!r}".format(FUNCTIONS, function))


def row_design(name):
    """``(design name, options)`` of a compare row: a registry design, or a variant (a
    speed-sweep row ``pipeline@150`` is its design; compare adds the target)."""
    name = name.split("@", 1)[0]
    return VARIANTS.get(name, (name, {}))


def row_description(name):
    """The row's one-line description: its design's, and the variant's options."""
    base, options = row_design(name)
    text = design(base).description
    if options:
        text += " ({})".format(", ".join("{}={}".format(k, v) for k, v in options.items()))
    return text


def function_rows(function):
    """The rows ``compare --function F`` shows by default, in the registry's order.

    For the sigmoid the designs of the sigmoid alone (no unit: the table of
    old); for the others every design that computes the function, each
    function pipeline followed by its ``-cr`` variant.
    """
    _check_function(function)
    rows = []
    for name, record in DESIGNS.items():
        if record.kind == "method":
            continue        # the methods' rows: sigmoid-hw methods (the function is an option)
        if function == "sigmoid":
            if record.functions == ("sigmoid",):
                rows.append(name)
            continue
        if function in record.functions:
            rows.append(name)
            rows += [v for v, (base, _) in VARIANTS.items() if base == name]
    return rows


def check_rows(function, names):
    """Raise ValueError for a row that does not compute ``function``."""
    _check_function(function)
    for name in names:
        base, _ = row_design(name)
        if function not in design(base).functions:
            raise ValueError("design {!r} does not compute {}; --function {} takes {}".format(
                name, function, function, ", ".join(function_rows(function))))


def row_function(name, function):
    """The function whose accuracy row ``name`` shows: ``function`` if it computes it, else
    its first (``compare --sharing`` puts the sigmoid pipeline beside tanh)."""
    functions = design(row_design(name)[0]).functions
    return function if function in functions else functions[0]


def row_output_format(name, component, function):
    """The format of the outputs of ``function`` (a unit has one per function)."""
    record = design(row_design(name)[0])
    if record.kind == "unit":
        return component.output_formats[record.functions.index(function)]
    return component.output_format


def row_metrics(name, component, raw, function, in_format, out_bits):
    """Exhaustive error metrics of row ``name`` in the ulp of its output, against the exact
    ``function`` (``sigmoid_hw.model.accuracy`` for the sigmoid, as compare always measured it)."""
    from sigmoid_hw.model.accuracy import error_metrics
    from sigmoid_hw.model.function_exact import function_error_metrics
    record = design(row_design(name)[0])
    kwargs = {}
    if record.kind == "unit":
        kwargs["function"] = record.functions.index(function)
    y = np.asarray(record.model(component, raw, **kwargs), dtype=np.int64)
    if function == "sigmoid" and record.kind != "unit":
        return error_metrics(y, raw, in_format, out_bits)
    return function_error_metrics(function, y, raw, in_format,
                                  row_output_format(name, component, function))


_SUMMED = ("luts", "core_ffs", "dsps", "brams")


def sharing_rows(rows):
    """Per device: the ``SHARED`` rows, their sum and the difference (shared - sum).

    The sum's Fmax is the slower of the two pipelines (both on one clock);
    the difference's Fmax is the unit's Fmax less that.
    """
    by_key = {(r["design"], r["device"]): r for r in rows}
    devices = list(dict.fromkeys(r["device"] for r in rows))
    out = []
    for device in devices:
        parts = [by_key.get((name, device)) for name in SHARED]
        if any(p is None for p in parts):
            continue
        sigmoid, tanh, unit = parts
        out += [dict(p) for p in parts]
        total = {"design": _SUM, "device": device, "latency": None,
                 "description": "one SigmoidPipeline plus one TanhPipeline"}
        diff = {"design": _DIFFERENCE, "device": device, "latency": None,
                "description": "ActivationUnit minus the two pipelines"}
        for key in _SUMMED:
            a, b = sigmoid.get(key), tanh.get(key)
            total[key] = None if a is None or b is None else a + b
            u = unit.get(key)
            diff[key] = None if u is None or total[key] is None else u - total[key]
        fmax = [sigmoid.get("fmax_mhz"), tanh.get("fmax_mhz")]
        total["fmax_mhz"] = None if None in fmax else min(fmax)
        diff["fmax_mhz"] = (None if total["fmax_mhz"] is None or unit.get("fmax_mhz") is None
                            else round(unit["fmax_mhz"] - total["fmax_mhz"], 2))
        out += [total, diff]
    return out


def _cell(value, spec, signed=False):
    if value is None:
        return "-"
    return format(value, ("+" if signed else "") + spec)


def format_sharing_table(rows):
    """The table of ``sharing_rows``: LUT, FF, DSP, BRAM, Fmax per device."""
    line = "{:<9} {:<14} {:>6} {:>6} {:>4} {:>5} {:>8} {:>4}  {}"
    head = line.format("device", "design", "LUT", "FF", "DSP", "BRAM", "Fmax", "lat", "what")
    lines = [head, "-" * len(head)]
    previous = None
    for r in rows:
        if previous is not None and r["device"] != previous:
            lines.append("")
        previous = r["device"]
        signed = r["design"] == _DIFFERENCE
        lines.append(line.format(
            r["device"], r["design"], _cell(r.get("luts"), "d", signed),
            _cell(r.get("core_ffs"), "d", signed), _cell(r.get("dsps"), "d", signed),
            _cell(r.get("brams"), "d", signed), _cell(r.get("fmax_mhz"), ".1f", signed),
            _cell(r.get("latency"), "d"), r.get("note") or r.get("description") or ""))
    return "\n".join(lines)


def run_sharing(args, devices, compare):
    """``compare --sharing``: implement the ``SHARED`` rows with ``compare`` (the command's
    implementation function) and print them with their sum."""
    from sigmoid_hw.report.progress import write
    start = time.monotonic()
    if args.load is not None:
        with open(args.load) as f:
            rows = json.load(f)
    else:
        rows = compare(devices, SHARED, seed=args.pnr_seed, toolchain=args.toolchain,
                       build_dir=args.build_dir, jobs=args.jobs, precheck=not args.no_precheck,
                       implement_designs=True, show_progress=not args.no_progress, targets=(),
                       function="tanh", limits=False,
                       log=lambda text: write(text, file=sys.stderr))
    table = sharing_rows(rows)
    if args.json:
        print(json.dumps(table, indent=2))
    else:
        print("ActivationUnit((sigmoid, tanh)) against one SigmoidPipeline plus one TanhPipeline "
              "(defaults: SQ(4,12) in, faithful); out-of-context implementation (seed {}); FF "
              "without the harness's registers; the sum's Fmax is the slower pipeline's".format(
                  args.pnr_seed))
        print(format_sharing_table(table))
        print("({:.0f} s)".format(time.monotonic() - start))
    return 1 if any(r.get("fits") is None for r in rows if args.load is None) else 0

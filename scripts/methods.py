"""The method designs (table, multipartite, piecewise) in ``simulate``, and their function x method matrix.

``method_figures`` judges a method unit's outputs against the exact function
(``sigmoid_hw.model.function_exact``), never against the method: max and mean error in
ulp of the output format, the correctly rounded share, monotonicity where the
function's record says it is monotonic, and the proven bound of the plan.
``matrix_rows`` runs every model on every input for each function x method x
rounding (the ``methods`` command).
"""

import json
import time

import numpy as np

from sigmoid_hw.hw.designs import DESIGNS, design, make_design
from sigmoid_hw.model.function_exact import function_error_metrics
from sigmoid_hw.report.text import yes_no

__all__ = ["METHOD_DESIGNS", "method_figures", "run_simulate", "matrix_rows", "plan_summary"]

METHOD_DESIGNS = tuple(name for name, record in DESIGNS.items() if record.kind == "method")


def plan_summary(plan):
    """A few words on what the plan stores and computes (for tables and reports)."""
    fold = plan.problem.fold.name if hasattr(plan, "problem") else plan.fold
    bits = getattr(plan, "bits", None) or getattr(plan, "table_bits", None)
    words = ["fold {}".format(fold)]
    for attr in ("degree", "segments", "tables", "input_drop"):
        value = getattr(plan, attr, None)
        if value is not None and not callable(value) and (attr, value) != ("segments", 1):
            words.append("{} {}".format(attr, value if not isinstance(value, tuple)
                                        else len(value)))
    if bits is not None:
        words.append("{:,} table bits".format(int(bits)))
    if plan.corrections:
        words.append("{} corrections".format(len(plan.corrections)))
    return ", ".join(words)


def method_figures(dut, raw_x, raw_y):
    """Errors of outputs ``raw_y`` of method unit ``dut`` against the exact function."""
    fn = dut.function
    m = function_error_metrics(fn, raw_y, raw_x, dut.input_format, dut.output_format)
    y = np.asarray(raw_y, dtype=np.int64)
    x = np.asarray(raw_x, dtype=np.int64)
    order = np.argsort(x)
    m["monotonic"] = bool((np.diff(y[order]) >= 0).all()) if fn.monotonic else None
    bound = getattr(dut.plan, "error_bound", None)
    m["error_bound"] = None if bound is None else float(bound)
    return m


def run_simulate(args, dut, raw_x):
    """``sigmoid-hw simulate --design METHOD --function F``: RTL == model, model vs exact."""
    from sigmoid_hw.hw.streamsim import run_stream
    start = time.monotonic()
    outputs, cycles = run_stream(dut, [int(v) for v in raw_x], stall=args.stall, gap=args.gap,
                                 seed=args.seed)
    rtl = np.array(outputs, dtype=np.int64)
    model = np.asarray(design(args.design).model(dut, raw_x), dtype=np.int64)
    result = method_figures(dut, raw_x, model)
    result.update(design=args.design, function=str(dut.function),
                  input_format=str(dut.input_format), output_format=str(dut.output_format),
                  rounding=str(dut.rounding), plan=plan_summary(dut.plan), count=len(raw_x),
                  rtl_mismatches=int(np.count_nonzero(rtl != model[:len(rtl)])),
                  missing=len(model) - len(rtl), latency=dut.latency, cycles=cycles,
                  seconds=round(time.monotonic() - start, 2))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("{} {} {} -> {}, {} ({})".format(args.design, result["function"],
                                               result["input_format"], result["output_format"],
                                               result["rounding"], result["plan"]))
        print("  latency {} cycles".format(dut.latency))
        print("  inputs simulated  {:>10}".format(len(raw_x)))
        print("  RTL == model      {:>10}   mismatches {}, missing {}".format(
            yes_no(result["rtl_mismatches"] == 0 and result["missing"] == 0),
            result["rtl_mismatches"], result["missing"]))
        bound = result["error_bound"]
        print("  max error         {:>10.4f} ulp{}".format(
            result["max_ulp"], "" if bound is None else " (bound {:.4f})".format(bound)))
        print("  mean error        {:>10.4f} ulp".format(result["mean_ulp"]))
        print("  correctly rounded {:>10.3%}".format(result["correctly_rounded"]))
        if result["monotonic"] is not None:
            print("  monotonic         {:>10}".format(yes_no(result["monotonic"])))
    ok = (result["rtl_mismatches"] == 0 and result["missing"] == 0 and result["max_ulp"] < 1
          and result["monotonic"] is not False
          and (str(dut.rounding) != "correct" or result["correctly_rounded"] == 1))
    return 0 if ok else 1


def matrix_rows(functions, methods, input_format, output_bits, roundings, progress=None):
    """One row per function x method x rounding: the model on every input against exact."""
    rows = []
    for fn in functions:
        for method in methods:
            for rounding in roundings:
                start = time.monotonic()
                dut = make_design(method, function=fn, input_format=input_format,
                                  output_bits=output_bits, rounding=rounding)
                x = dut.input_format.raw_range()
                y = design(method).model(dut, x)
                m = method_figures(dut, x, y)
                rows.append(dict(m, function=fn, method=method, rounding=rounding,
                                 input_format=str(dut.input_format),
                                 output_format=str(dut.output_format),
                                 plan=plan_summary(dut.plan), latency=dut.latency,
                                 corrections=len(dut.plan.corrections),
                                 seconds=round(time.monotonic() - start, 2)))
                if progress is not None:
                    progress(rows[-1])
    return rows

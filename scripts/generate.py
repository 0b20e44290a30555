"""``sigmoid-hw generate``: the cheapest proven design for a spec on a device.

The search, in four steps (each candidate a ``(design, options)`` of the
registry, so ``sigmoid_hw.hw.designs.make_design(design, **options)`` rebuilds it):

1. **candidates**: every method that serves the function (``Function.methods``)
   with its parameters (the seed's pipeline and its variants, the table, the
   multipartite method (its split search tries 1 to 3 offset tables), the
   piecewise polynomial of degree 1 to 3, each also with ``reuse`` 2 .. its degree
   (fewer multipliers, a word every ``reuse`` clocks: its rate, Fmax / reuse, is
   checked against ``--min-rate``), the knot interpolation (``knot_interp_options``:
   faithful or a number of ulp), and the seed's pipeline with ``reuse`` too),
   faithful and correctly rounded, and
   the comparison designs of the same function and formats; for an accuracy of
   ``2^p`` ulp or more, each method also computed ``p`` bits short
   (``sigmoid_hw.hw.methods.padded``);
2. **model proof**: each candidate's integer model on every input against the
   certified exact function (``sigmoid_hw.model.function_exact``): max ulp and the
   correctly rounded share decide whether it meets the accuracy
   (``faithful``: < 1 ulp; ``correct``: every output correctly rounded; a
   number u: max error <= u ulp);
3. **estimate**: the cost model (``sigmoid_hw.flow.cost``, fitted to real builds) ranks
   the accurate ones by the cost (``--cost`` order or ``--weights``) and drops
   those the estimate puts over a limit; ``--estimate`` stops here;
4. **build and prove**: the best few are placed and routed for real
   (``sigmoid_hw.flow.implement``, seed 1); the cheapest that meets every constraint by
   its real figures is chosen, and its RTL is run against its model on every
   input (Amaranth's simulator up to 16 input bits, Verilator above).

Every candidate rejected says why (``rejected``: the constraint and by how
much).
"""

from dataclasses import dataclass, field
import math


from sigmoid_hw.hw.designs import DESIGNS, design as design_record, make_design, computed_function
from sigmoid_hw.model.exact import function as function_record, Method
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.scripts.generate_limits import (CAPACITY, ESTIMATE_SLACK, _describe_broken,
                                                _estimate_verdict, check_limits, cost_key)
from sigmoid_hw.scripts.generate_wide import (WIDE_INPUT_BITS, model_outputs, not_searched,
                                              proof_once)

__all__ = ["Spec", "candidates", "generate", "parse_accuracy", "parse_cost"]

RESOURCES = ("dsps", "brams", "luts", "ffs")
BASELINE_FORMAT = (SQ(4, 12), 16)


def parse_accuracy(text):
    """``"faithful"``, ``"correct"`` or a positive number of ulp (text or number)."""
    if text in ("faithful", "correct"):
        return text
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError("accuracy must be faithful, correct or a number of ulp, not {!r}"
                         .format(text)) from None
    if not math.isfinite(value) or value < 0.5:
        raise ValueError("accuracy must be at least 0.5 ulp (correct rounding), not {!r}"
                         .format(text))
    return value


def parse_cost(order=None, weights=None):
    """``(order, weights)``: the lexicographic order of resources, or weights of a sum."""
    if order is not None and weights is not None:
        raise ValueError("give --cost or --weights, not both")
    if weights is not None:
        parsed = {}
        for item in weights.split(","):
            name, _, value = item.partition("=")
            if name not in RESOURCES:
                raise ValueError("--weights names must be among {}, not {!r}".format(
                    ", ".join(RESOURCES), name))
            try:
                parsed[name] = float(value)
            except ValueError:
                raise ValueError("--weights {}={!r} is not a number".format(name, value)) \
                    from None
        return None, parsed
    names = (order or "dsps,brams,luts").replace("dsp,", "dsps,").split(",")
    names = [{"dsp": "dsps", "bram": "brams", "lut": "luts", "ff": "ffs"}.get(n, n)
             for n in names]
    for n in names:
        if n not in RESOURCES:
            raise ValueError("--cost must list resources among dsp, bram, lut, ff, not {!r}"
                             .format(n))
    return tuple(names), None


@dataclass
class Spec:
    """What the user asks for (the ``generate`` command's options)."""
    function: str
    input_format: object
    output_bits: int
    accuracy: object
    device: str
    target_mhz: object = None
    max_lut: object = None
    max_dsp: object = None
    max_bram: object = None
    min_rate: object = None
    order: tuple = ("dsps", "brams", "luts")
    weights: object = None
    method: object = None
    comparisons: bool = True        # the comparison designs (baselines) among the candidates

    def limits(self):
        return {"luts": self.max_lut, "dsps": self.max_dsp, "brams": self.max_bram}


def _pipeline_candidates(spec, fn):
    from sigmoid_hw.model.functions import FUNCTIONS as PIPELINE_FUNCTIONS
    if fn not in PIPELINE_FUNCTIONS:
        return []
    common = dict(input_format=str(spec.input_format).replace(" ", ""),
                  output_bits=spec.output_bits)
    if spec.target_mhz is not None:
        from sigmoid_hw.flow.implement import DEVICES
        common.update(target_mhz=spec.target_mhz, family=DEVICES[spec.device].timing_family)
    if fn == "sigmoid":
        out = [("pipeline-cr", dict(common))]
        if spec.accuracy != "correct":
            out += [("pipeline", dict(common)), ("pipeline-minimax", dict(common))]
    else:
        out = [(fn, dict(common, rounding=r)) for r in _roundings(spec)]
    if spec.target_mhz is None:
        # reuse (sigmoid_hw.hw.horner_shared): half the multipliers at an interval of 2, and the whole
        # chain on one multiplier of the device's DSP width (a word every "passes" clocks)
        out += [(d, dict(o, reuse=2)) for d, o in list(out)]
        native = _native_width(spec.device)
        if native is not None:
            for d, o in list(out):
                if "reuse" in o or not_searched(spec, d, o):
                    continue
                passes = _passes(d, o, native)
                if passes is not None:
                    out.append((d, dict(o, reuse=passes, multiplier_width=native)))
    return out


def _native_width(device):
    from sigmoid_hw.flow.cost import DSP_NATIVE
    return DSP_NATIVE.get(device)


def _passes(design, options, width):
    """The Horner passes of a pipeline design through a ``width``-bit multiplier, or None."""
    from sigmoid_hw.hw.horner_shared import horner_passes
    try:
        return len(horner_passes(make_design(design, **options).plan, width))
    except (TypeError, ValueError):
        return None


def _piecewise_candidates(spec, base):
    """The piecewise polynomial of degree 1 to 3, each with ``reuse`` 1 .. its degree
    (``ceil(degree / reuse)`` multipliers, a word every ``reuse`` clocks) and, on a device
    with DSP blocks, its chain on one multiplier of the blocks' width (``reuse`` = its
    passes, ``multiplier_width``) where a step is wider than that; correctly rounded, also
    degree 2 with every operand within the blocks' port (``operand_bits``)."""
    from sigmoid_hw.hw.methods.piecewise import piecewise_passes
    from sigmoid_hw.model.methods.piecewise_budget import piecewise_budget_options
    native, out = _native_width(spec.device), []
    plans = [dict(base, rounding=r, degree=d) for r in _roundings(spec) for d in (1, 2, 3)]
    # a number of ulp: also each degree and segment count within it (narrower coefficients)
    plans += [dict(base, **o) for o in piecewise_budget_options(
        base["function"], spec.input_format, spec.output_bits, spec.accuracy)]
    if native is not None and spec.accuracy == "correct":
        # correct rounding on the device's DSP port: every product's operand fits it and
        # the coefficient search makes it correct (sigmoid_hw.model.methods.piecewise_search)
        # (degree 2: degree 3's 32 segments leave 11-bit offsets, too coarse a C_1 to search)
        plans.append(dict(base, rounding="correct", degree=2, operand_bits=native))
    for options in plans:
        degree = options["degree"]
        out += [("piecewise", dict(options, **({"reuse": r} if r > 1 else {})))
                for r in range(1, degree + 1)]
        if native is None or degree == 1 or "operand_bits" in options:
            continue
        try:
            passes = len(piecewise_passes(make_design("piecewise", **options).plan, native))
        except (TypeError, ValueError):
            continue                    # no such plan: the candidate says why
        if passes > degree:
            out.append(("piecewise", dict(options, reuse=passes, multiplier_width=native)))
    return out


def _table_segments(spec):
    """The plain table's options ``{}``, then ``segments`` S = 2 .. 16 (one memory word of S
    fields, ``sigmoid_hw.model.methods.table``) while each stores fewer bits than the last."""
    out = [{}]
    if spec.input_format.width > WIDE_INPUT_BITS:       # not searched: not_searched says why
        return out
    from sigmoid_hw.hw.methods.table import table_plan
    fn, fmt, bits = spec.function, spec.input_format, spec.output_bits
    stored = table_plan(fn, fmt, bits, "correct").bits
    for segments in (2, 4, 8, 16):
        try:
            plan = table_plan(fn, fmt, bits, "correct", segments=segments)
        except ValueError:              # fewer than 2 points a segment
            break
        if plan.bits >= stored:
            break
        out.append({"segments": segments})
        stored = plan.bits
    return out


def _drop_bits(spec):
    """``p`` with ``2^p <= accuracy`` (a faithful unit p bits short is within 2^p ulp)."""
    if isinstance(spec.accuracy, str) or spec.accuracy < 2:
        return 0
    return min(int(math.floor(math.log2(spec.accuracy))), spec.output_bits - 2)


def _roundings(spec):
    """The roundings worth a plan: correct only for a correct spec; within U >= 1 ulp the
    faithful plan alone (its correctly rounded sibling is the same method with a wider
    datapath and its corrections: never cheaper, and no more accurate than asked)."""
    if spec.accuracy == "correct":
        return ("correct",)
    if spec.accuracy != "faithful" and spec.accuracy >= 1:
        return ("faithful",)
    return ("faithful", "correct")


def candidates(spec):
    """``[(design, options)]`` for ``spec`` (module docstring, step 1)."""
    fn = str(function_record(spec.function))
    methods = [spec.method] if spec.method else [m.value for m in Method]
    out = []
    fmt = str(spec.input_format).replace(" ", "")
    base = dict(function=fn, input_format=fmt, output_bits=spec.output_bits)
    for method in methods:
        if method == "pipeline":
            out += _pipeline_candidates(spec, fn)
        elif method == "table":
            out += [("table", dict(base, rounding="correct", **o)) for o in _table_segments(spec)]
        elif method == "multipartite":
            # tables=None: the split search tries 1 to 3 offset tables, fewest bits first
            out += [("multipartite", dict(base, rounding=r)) for r in _roundings(spec)]
        elif method == "piecewise":
            out += _piecewise_candidates(spec, base)
            # values-only linear interpolation: degree 1 with only the knots stored
            from sigmoid_hw.model.methods.knot_interp import knot_interp_options
            out += [("knot-interp", dict(base, **o)) for o in knot_interp_options(
                fn, spec.input_format, spec.output_bits, spec.accuracy)]
    drop = _drop_bits(spec)
    if drop:
        # an accuracy of 2^p ulp or more: each method also computed p bits short (within
        # 2^p ulp, the top of the range included, where the short format ends 2^p - 1 below)
        out += [(d, dict(o, drop_bits=drop)) for d, o in list(out)
                if DESIGNS[d].kind == "method"]
    if "table" in methods:
        # the reduced-input table: per fold and output drop, the largest input drop that fits
        from sigmoid_hw.model.methods.reduced_table import reduced_table_options
        out += [("reduced-table", dict(base, **o)) for o in reduced_table_options(
            fn, spec.input_format, spec.output_bits, spec.accuracy, _drop_bits(spec))]
    if spec.method is None and spec.comparisons and \
            (spec.input_format, spec.output_bits) == BASELINE_FORMAT:
        out += [(name, {}) for name, r in DESIGNS.items()
                if r.kind == "baseline" and r.functions == (fn,)]
    return out


def _meets_accuracy(spec, metrics):
    if spec.accuracy == "correct":
        return metrics["correctly_rounded"] == 1.0, "correctly rounded {:.3%} < 100 %".format(
            metrics["correctly_rounded"])
    limit = 1.0 if spec.accuracy == "faithful" else spec.accuracy
    ok = metrics["max_ulp"] < 1.0 if spec.accuracy == "faithful" else \
        metrics["max_ulp"] <= limit
    return ok, "max error {:.4f} ulp > {} ulp".format(metrics["max_ulp"], limit)


def model_proof(design, component):
    """The model against the exact function on every input: the error metrics."""
    from sigmoid_hw.model.function_exact import function_error_metrics
    from sigmoid_hw.report.waves import io_formats
    record = design_record(design)
    fmt, out = io_formats(record, component)
    x = fmt.raw_range()
    y = model_outputs(record, component, x)
    return function_error_metrics(computed_function(record, component), y, x, fmt, out)


def generate(spec, *, estimate_only=False, build_top=3, progress=None, fit=None):
    """Search, build and prove (module docstring). Returns a dict: ``chosen`` (or None),
    ``candidates`` (every one with its figures and verdict), ``builds`` and ``failure``."""
    from sigmoid_hw.flow.cost import build_key, estimate, features, load_fit, method_kind
    fit = load_fit() if fit is None else fit
    say = progress or (lambda text: None)
    rows = []
    proofs = {}
    for design, options in candidates(spec):
        row = {"design": design, "options": options}
        rows.append(row)
        say("model   {} {}".format(design, _options_text(options)))
        why = not_searched(spec, design, options)
        if why:
            row["rejected"] = why
            continue
        try:
            component = make_design(design, **options)
        except ValueError as exc:
            row["rejected"] = "cannot be built: {}".format(exc)
            continue
        metrics = proof_once(design, component, proofs, model_proof)
        row.update(max_ulp=metrics["max_ulp"], correctly_rounded=metrics["correctly_rounded"],
                   latency=component.latency,
                   interval=getattr(component, "initiation_interval", 1))
        ok, why = _meets_accuracy(spec, metrics)
        if not ok:
            row["rejected"] = why
            continue
        key = build_key(design, options)
        try:
            est = estimate(features(component), spec.device, method_kind(component), fit, key)
        except TypeError:            # a fixed design (baseline): only a build knows its cost
            est = estimate(None, spec.device, None, fit, key)
        row["estimate"] = est
        rejection, row["sure"] = _estimate_verdict(spec, est, row["interval"])
        if rejection:
            row["rejected"] = rejection
    accurate = [r for r in rows if "rejected" not in r]
    accurate.sort(key=lambda r: cost_key(spec, r["estimate"]))
    result = {"spec": _spec_dict(spec), "candidates": rows, "builds": [], "chosen": None}
    if not accurate:
        result["failure"] = _failure(spec, rows)
        return result
    if estimate_only:
        sure = [r for r in accurate if r["sure"]]
        for row in accurate:
            if not row["sure"]:
                row["rejected"] = ("estimate: within the cost model's error of a limit, or a "
                                   "figure missing: only a build can tell")
        if not sure:
            result["failure"] = _failure(spec, rows) + (
                "; {} more only a build can tell (run without --estimate)".format(
                    len(accurate)))
            return result
        result["chosen"] = dict(sure[0], source="estimate")
        return result
    from sigmoid_hw.flow.implement import DoesNotFit, implement
    from sigmoid_hw.flow.toolchain import ToolchainError
    built = []
    for row in accurate[:build_top]:
        say("build   {} {} on {}".format(row["design"], _options_text(row["options"]),
                                         spec.device))
        component = make_design(row["design"], **row["options"])
        try:
            real = implement(component, spec.device, seed=1, target_mhz=spec.target_mhz)
        except DoesNotFit as exc:
            row["rejected"] = "does not fit: {}".format(exc)
            continue
        except ToolchainError as exc:
            row["rejected"] = "the toolchain failed: {}".format(str(exc).splitlines()[0])
            continue
        row["real"] = {k: real[k] for k in RESOURCES + ("fmax_mhz",)}
        result["builds"].append({"design": row["design"], "options": row["options"],
                                 "estimate": row["estimate"], "real": row["real"]})
        broken = check_limits(spec, row["real"], CAPACITY[spec.device], row["interval"])
        if broken:
            row["rejected"] = "built: " + _describe_broken(broken)
        else:
            built.append(row)
    if not built:
        result["failure"] = _failure(spec, rows)
        return result
    built.sort(key=lambda r: cost_key(spec, r["real"]))
    chosen = built[0]
    for row in built[1:]:
        row["rejected"] = "costs more than {} by {}".format(
            chosen["design"], _difference(spec, row["real"], chosen["real"]))
    for row in accurate[build_top:]:
        row.setdefault("rejected", "not built: the estimate ranks it below the {} built"
                       .format(build_top))
    result["chosen"] = dict(chosen, source="built")
    return result


def _difference(spec, a, b):
    keys = list(spec.weights) if spec.weights else list(spec.order)
    return ", ".join("{} {:+g}".format(k, float(a[k]) - float(b[k])) for k in keys
                     if a[k] != b[k]) or "nothing (a tie: the first built wins)"


def _failure(spec, rows):
    """Which constraint failed and by how much, for the candidate closest to meeting it."""
    reasons = [r["rejected"] for r in rows if "rejected" in r]
    if not reasons:
        return "no candidate"
    # a build's real miss says more than an estimate's; among either, the fewest misses
    built = [r for r in reasons if r.startswith("built:")]
    return "no design meets the spec; closest: " + min(built or reasons, key=len)


def _options_text(options):
    return " ".join("{}={}".format(k, v) for k, v in options.items())


def _spec_dict(spec):
    d = dict(spec.__dict__)
    d["input_format"] = str(spec.input_format)
    return d

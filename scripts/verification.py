"""Verification runs for ``sigmoid-hw verify``: one design, one backend, every input.

``verify`` makes a design from its registry record (``sigmoid_hw.hw.designs``), takes
every input of its format (shuffled, seeded) or a sample, computes the
expected outputs with the record's model, and runs them through one
backend: Amaranth's simulator (``pysim``), or the exported Verilog (or the
netlist Yosys synthesized for a family, ``sigmoid_hw.flow.netlist``) in Icarus Verilog
(``sigmoid_hw.flow.icarus``) or Verilator (``sigmoid_hw.flow.verilator``), with seeded input gaps
and output stalls. ``CONFIGURATIONS`` is the matrix ``make verify`` runs:
every pipeline design of the registry (so every coefficient source and
rounding mode) at 16, 20 and 24 input bits, at two clock targets, and the
other designs at their formats.
"""

import os
import tempfile
import time

import numpy as np
from amaranth.hdl import Shape, Value
from amaranth.lib import data

from sigmoid_hw.flow.vectors import compare_outputs, write_words
from sigmoid_hw.hw.designs import DESIGNS, design as design_record
from sigmoid_hw.hw.streamsim import StreamRuleError, patience, run_stream
from sigmoid_hw.report.waves import io_formats
from sigmoid_hw.scripts.commands.export import _bench_limit, _convert, bench_vectors, export_design

__all__ = ["BACKENDS", "NETLISTS", "verify", "configurations", "FORMATS_BY_BITS"]

BACKENDS = ("pysim", "icarus", "verilator")
NETLISTS = ("none", "ice40", "ecp5", "gowin")
# the pipeline configurations checked on every input: input format and output bits
FORMATS_BY_BITS = {16: ("SQ(4,12)", 16), 20: ("SQ(4,16)", 20), 24: ("SQ(5,19)", 24)}
TARGETS_MHZ = (None, 150)
# inputs the model evaluates at once
_BLOCK = 1 << 20


def _pipeline_formats():
    """The sigmoid pipelines' formats: every row of the accuracy table, and SQ(4,16) -> 20."""
    from sigmoid_hw.scripts.commands.accuracy import CONFIGURATIONS
    formats = [(str(fmt).replace(" ", ""), out) for fmt, out in CONFIGURATIONS]
    return formats + [f for f in FORMATS_BY_BITS.values() if f not in formats]


# pipeline-cr is the correctly rounded design: faithful, it is pipeline or pipeline-minimax
_ROUNDINGS = {"pipeline-cr": ("correct",)}


def configurations():
    """``[(design, options)]``: the matrix ``make verify`` runs on every input.

    Every design of the registry. The sigmoid pipelines at every configuration
    of the accuracy table (``sigmoid_hw.scripts.commands.accuracy.CONFIGURATIONS``, 8 to
    24 input bits) and SQ(4,16) -> UQ(0,20); the functions and the unit at 16,
    20 and 24 input bits (``FORMATS_BY_BITS``); each in every rounding mode
    and at each clock target it takes (``TARGETS_MHZ``). The comparator also
    with a programmable limit; the others (fixed interfaces) as they are. The
    method designs (table, multipartite, piecewise) for every function at 16 and
    20 input bits (``METHOD_FORMATS``), faithful and correct; knot-interp the 16-bit sigmoid
    and tanh faithful and within 1.476 ulp (``_KNOT_BUDGETS``).
    """
    configs = []
    for name, record in DESIGNS.items():
        options = record.options
        if record.kind == "method":
            configs += _method_configurations(name)
            continue
        if "input_format" not in options or "output_bits" not in options:
            configs.append((name, {}))
            if "threshold" in options:
                configs.append((name, {"threshold": "runtime"}))
            continue
        formats = _pipeline_formats() if record.kind == "pipeline" else \
            list(FORMATS_BY_BITS.values())
        roundings = _ROUNDINGS.get(name, ("faithful", "correct")) if "rounding" in options \
            else (None,)
        for fmt, out in formats:
            for rounding in roundings:
                for target in TARGETS_MHZ if "target_mhz" in options else (None,):
                    configs.append((name, dict(input_format=fmt, output_bits=out,
                                               rounding=rounding, target_mhz=target)))
    return configs


# the methods at 16 and 20 input bits (METHOD_FORMATS), every function, each rounding (the
# table is correctly rounded either way: once)
METHOD_FORMATS = (FORMATS_BY_BITS[16], FORMATS_BY_BITS[20])
_METHOD_ROUNDINGS = {"table": ("correct",)}


# knot-interp (faithful or within a number of ulp, no correct rounding): the 16-bit sigmoid
# and tanh faithful and at TFLite's 1.476 ulp, its product signed and unsigned
_KNOT_BUDGETS = ({}, {"budget_ulp": 1.4761833294580466},
                 {"budget_ulp": 1.4761833294580466, "product": "unsigned"})


def _method_configurations(name):
    from sigmoid_hw.model.exact import FUNCTION_NAMES
    if name == "knot-interp":
        fmt, out = FORMATS_BY_BITS[16]
        return [(name, dict(function=fn, input_format=fmt, output_bits=out, **extra))
                for fn in ("sigmoid", "tanh") for extra in _KNOT_BUDGETS]
    configs = [(name, dict(function=fn, input_format=fmt, output_bits=out, rounding=rounding))
               for fmt, out in METHOD_FORMATS for fn in FUNCTION_NAMES
               for rounding in _METHOD_ROUNDINGS.get(name, ("faithful", "correct"))]
    if name == "piecewise":
        # generate's 16-bit correctly rounded answers on the UP5K: one 16-bit DSP port
        fmt, out = FORMATS_BY_BITS[16]
        configs += [(name, dict(function=fn, input_format=fmt, output_bits=out,
                                rounding="correct", degree=2, operand_bits=16, reuse=reuse))
                    for fn in ("sigmoid", "tanh") for reuse in (1, 2)]
    return configs


def _input_format(record, component):
    """The format of x: every kind but the fixed-interface baselines carries its own."""
    if record.kind == "baseline":
        return io_formats(record, component)[0]
    return component.input_format


def _vectors(record, component, count, seed):
    """``(input words, expected words, pysim payloads, output packer)`` of a design.

    A unit (kind ``"unit"``) takes ``{x, function}`` and gives ``{y,
    function}``: its words are the struct's bits, every x once for every
    function. The pysim payloads are a function that makes the list (only
    pysim needs Python objects: 2^25 of them would take gigabytes).
    """
    fmt = _input_format(record, component)
    extra = component.plan.reduction.thresholds if record.kind == "pipeline" else ()
    x = _inputs(fmt, count, seed, extra)
    limit = _bench_limit(record, component)
    if record.kind != "unit":
        y = _model(record, component, x, **({} if limit is None else {"limit": limit}))
        return x, y, lambda: [int(v) for v in x], lambda word: word
    i_layout = data.Layout.cast(component.i.payload.shape())
    o_layout = data.Layout.cast(component.o.payload.shape())
    words, expected = [], []
    functions = range(len(component.functions))
    for f in functions:
        y = _model(record, component, x, function=f)
        words.append(_pack(i_layout, {"x": x, "function": f}))
        expected.append(_pack(o_layout, {"y": y, "function": f}))

    def payloads():
        return [{"x": int(v), "function": f} for f in functions for v in x]
    return (np.concatenate(words), np.concatenate(expected), payloads,
            lambda fields: int(_pack(o_layout, fields)))


def _model(record, component, x, **kwargs):
    """The record's model on ``x`` as int64, in blocks (a wide plan's model makes object
    arrays of Python ints: 2^24 of them at once take gigabytes)."""
    return np.concatenate([np.asarray(record.model(component, x[k:k + _BLOCK], **kwargs),
                                      dtype=np.int64).reshape(-1)
                           for k in range(0, max(x.size, 1), _BLOCK)])[:x.size]


def _pack(layout, fields):
    """The bits of a struct ``layout`` holding ``fields`` (ints or arrays of them)."""
    word = 0
    for name, value in fields.items():
        field = layout[name]
        width = Shape.cast(field.shape).width
        word = word + ((np.asarray(value, dtype=np.int64) & ((1 << width) - 1)) << field.offset)
    return word


def _width(value):
    return len(Value.cast(value))


def _inputs(fmt, count, seed, extra):
    if count is None or count >= 1 << fmt.width:
        raw = fmt.raw_range().astype(np.int64)
        np.random.default_rng(seed).shuffle(raw)
        return raw
    return np.array(bench_vectors(fmt, count, seed, extra), dtype=np.int64)


def verify(name, options=None, *, backend="verilator", netlist="none", count=None, stall=0.25,
           gap=0.1, seed=1, folder=None, progress=None):
    """Run design ``name`` with ``options`` through ``backend``; return a result dict.

    The dict holds ``sigmoid_hw.flow.vectors.StreamResult.as_dict()`` (count, received,
    mismatches, missing, extra, stream_errors, cycles, first, passed) and
    ``design``, ``options``, ``backend``, ``netlist``, ``seconds`` (all of it,
    model and compilation included), ``model_seconds``, ``build_seconds``,
    ``run_seconds``, ``cycles_per_second`` (simulated cycles per second of
    the run alone) and, for Verilator on the RTL, ``lint`` (the messages
    left after the waivers; empty when clean).
    """
    if backend not in BACKENDS:
        raise ValueError("backend must be one of {}, not {!r}".format(BACKENDS, backend))
    if netlist not in NETLISTS:
        raise ValueError("netlist must be one of {}, not {!r}".format(NETLISTS, netlist))
    if netlist != "none" and backend == "pysim":
        raise ValueError("netlist {!r} needs a Verilog simulator: backend icarus or verilator, "
                         "not pysim".format(netlist))
    options = {k: v for k, v in (options or {}).items() if v is not None}
    record = design_record(name)
    start = time.monotonic()
    component = record.make(**options)
    raw, expected, payloads, pack = _vectors(record, component, count, seed)
    limit = _bench_limit(record, component)
    in_width, out_width = _width(component.i.payload), _width(component.o.payload)
    wait = patience(component.latency, stall, raw.size)
    model_done = time.monotonic()
    result = {"design": name, "options": {k: str(v) for k, v in options.items()},
              "backend": backend, "netlist": netlist}
    with tempfile.TemporaryDirectory() as tmp:
        work = folder or tmp
        os.makedirs(work, exist_ok=True)
        if backend == "pysim":
            built = time.monotonic()
            found = _pysim(component, raw, expected, payloads, pack, in_width, limit, stall,
                           gap, seed, wait, progress)
        else:
            top = "sigmoid_" + name.replace("-", "_")
            constants = {} if limit is None else {"limit": (_width(component.limit), limit)}
            xs, ys = os.path.join(work, "inputs.bin"), os.path.join(work, "expected.bin")
            write_words(xs, raw, in_width)
            write_words(ys, expected, out_width)
            found, built = _compiled(component, name, top, backend, netlist, work, xs, ys,
                                     raw.size, in_width, out_width, constants, stall, gap,
                                     seed, wait, result)
    end = time.monotonic()
    result.update(found.as_dict())
    result.update(seconds=end - start, model_seconds=model_done - start,
                  build_seconds=built - model_done, run_seconds=end - built,
                  cycles_per_second=found.cycles / max(end - built, 1e-9))
    return result


def _pysim(component, raw, expected, payloads, pack, in_width, limit, stall, gap, seed, wait,
           progress):
    extra = None
    if limit is not None:
        async def extra(ctx):
            ctx.set(component.limit, limit)
    errors = 0
    try:
        outputs, cycles = run_stream(component, payloads(), stall=stall, gap=gap,
                                     seed=seed, max_idle=wait, extra=extra,
                                     progress=None if progress is None else
                                     (lambda n: progress(n)))
    except StreamRuleError:
        outputs, cycles, errors = [], 0, 1
    return compare_outputs(raw, expected, [pack(v) for v in outputs], cycles, in_width,
                           stream_errors=errors)


def _compiled(component, name, top, backend, netlist, work, xs, ys, count, in_width,
              out_width, constants, stall, gap, seed, wait, result):
    from sigmoid_hw.flow import icarus, verilator
    if netlist == "none":
        path = os.path.join(work, top + ".v")
        try:
            export_design(component, name, "verilog", path, top)
        except (TypeError, ValueError) as exc:
            # export's header (its error figures) failed: verify the same Verilog without
            # it, and say so in the result
            result["export_error"] = "{}: {}".format(type(exc).__name__, exc)
            with open(path, "w") as f:
                f.write(_convert(component, "verilog", top))
        sources, extra_args = [path], []
        if backend == "verilator":
            waiver = verilator.write_waiver(path)
            passed, messages = verilator.lint([path], top, waiver=waiver)
            result["lint"] = messages
            extra_args = [waiver]
    else:
        from sigmoid_hw.flow.netlist import netlist_sources
        sources = netlist_sources(component, top, netlist, os.path.join(work, "netlist"))
        extra_args = ["-Wno-lint", "-Wno-style"]   # the cell libraries are not lint-clean
    if backend == "verilator":
        program = verilator.build_harness(sources, top, in_width, out_width,
                                          os.path.join(work, "verilator"), constants=constants,
                                          extra_args=extra_args)
        built = time.monotonic()
        found = verilator.run_harness(program, xs, ys, count, seed=seed, gap=gap, stall=stall,
                                      patience=wait)
    else:
        built = time.monotonic()
        found = icarus.run_stream_bench(sources, top, in_width, out_width,
                                        os.path.join(work, "icarus"), xs, ys, count,
                                        constants=constants, seed=seed, gap=gap, stall=stall,
                                        patience=wait)
    return found, built

"""``sigmoid-hw waves``: simulate a design and write a VCD with a GTKWave save file.

This module reads the options and prints; the waveform, its number views
and the save file are ``sigmoid_hw.report.waves`` (``sigmoid_hw.report.vcd`` reads and writes the
dump).
"""

import inspect
import math
import os
from fractions import Fraction

from sigmoid_hw.hw.designs import design, make_design
from sigmoid_hw.model.baselines import INPUT_FORMAT as BASELINE_INPUT_FORMAT
from sigmoid_hw.model.fixed import parse_format
from sigmoid_hw.report.unit_waves import unit_inputs
from sigmoid_hw.report.waves import RUNTIME_THRESHOLD, expected_outputs, runtime_limit, write_waves
from sigmoid_hw.scripts.options import (add_design_arguments, add_stimulus_arguments,
                                        design_options_from_args)

__all__ = ["NAME", "HELP", "add_arguments", "run", "default_inputs", "parse_inputs",
           "range_inputs"]

NAME = "waves"
HELP = ("simulate a design and write a VCD waveform plus a GTKWave save file with the "
        "signals grouped by pipeline stage")

DEFAULT_OUT = os.path.join("build", "waves")
DEFAULT_POINTS = 256


def default_inputs(input_format, points=DEFAULT_POINTS):
    """``points`` raw inputs evenly spaced over the whole format (a sweep of the curve)."""
    count = 1 << input_format.width
    step = max(1, count // points)
    return list(range(input_format.min, input_format.max + 1, step))


def _to_raw(value, text, input_format):
    if not (input_format.min_value <= value <= input_format.max_value):
        raise ValueError("Input {} is outside {} [{}, {}]".format(
            text, input_format, float(input_format.min_value), float(input_format.max_value)))
    return int(input_format.from_float(value))


def parse_inputs(text, input_format):
    """``"-1,0,0.5"`` -> raw values of ``input_format`` (rounded to nearest, ties to even)."""
    values = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            value = Fraction(item)
        except (ValueError, ZeroDivisionError):
            raise ValueError("Inputs must be numbers separated by commas, not {!r}"
                             .format(item)) from None
        values.append(_to_raw(value, item, input_format))
    if not values:
        raise ValueError("Inputs must name at least one number, not {!r}".format(text))
    return values


def range_inputs(start, stop, step, input_format):
    """Raw values for x = start, start + step, ... < stop (each rounded to the format)."""
    start, stop, step = Fraction(start), Fraction(stop), Fraction(step)
    if step <= 0:
        raise ValueError("Range step must be positive, not {}".format(step))
    count = math.ceil((stop - start) / step)
    if count <= 0:
        raise ValueError("Range {} .. {} is empty".format(start, stop))
    if count > 100000:
        raise ValueError("Range gives {} inputs; at most 100000 make a waveform".format(count))
    return [_to_raw(start + k * step, str(start + k * step), input_format)
            for k in range(count)]


def add_arguments(parser):
    add_design_arguments(parser)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--inputs", default=None, metavar="LIST",
                        help="comma-separated x values, e.g. --inputs=-1,0,0.5 (rounded to "
                             "the input format)")
    source.add_argument("--range", nargs=3, default=None, metavar=("A", "B", "STEP"),
                        help="x from A up to (not including) B in steps of STEP")
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help="output folder (default {})".format(DEFAULT_OUT))
    add_stimulus_arguments(parser)


def _input_format(record, given):
    """The input format the design will have: given, its factory's default, or the baselines'."""
    if given is not None:
        return parse_format(given)
    if "input_format" in record.options:
        return inspect.signature(record.factory).parameters["input_format"].default
    return BASELINE_INPUT_FORMAT     # the comparison designs' fixed interface


def _describe(record, component, fmt):
    if record.kind == "pipeline":
        return component.params.describe()
    if record.kind == "comparator":
        if component.limit_value is None:
            return "{} input, runtime limit L = {} (programmed for t = {})".format(
                fmt, runtime_limit(component), RUNTIME_THRESHOLD)
        return "{} input, threshold {}".format(fmt, component.threshold)
    return record.description


def run(args):
    record = design(args.design)
    # Parse the inputs before building the design: a bad input leaves no unused component.
    fmt = _input_format(record, args.input_format)
    if args.inputs is not None:
        raw = parse_inputs(args.inputs, fmt)
        what = "{} given".format(len(raw))
    elif args.range is not None:
        raw = range_inputs(*args.range, fmt)
        what = "{} (x from {} to {} step {})".format(len(raw), *args.range)
    else:
        raw = default_inputs(fmt)
        what = "{} (x from {:g} to {:g} step {:g}, the whole range)".format(
            len(raw), fmt.to_float(raw[0]), fmt.to_float(raw[-1]),
            fmt.to_float(raw[1] - raw[0]) if len(raw) > 1 else 0)
    component = make_design(args.design, **design_options_from_args(args))
    if record.kind == "unit":
        raw = unit_inputs(component, raw)
        what += ", each through {}".format(", ".join(component.functions))
    result = write_waves(record, component, raw, args.out, args.design, stall=args.stall,
                         gap=args.gap, seed=args.seed)
    expected = expected_outputs(record, component, raw)
    latency = component.latency
    print("design     {}: {}, latency {} cycle{}".format(
        args.design, _describe(record, component, fmt), latency, "" if latency == 1 else "s"))
    print("inputs     {}".format(what))
    print("stream     o.ready low with probability {}, i.valid gaps {}, seed {}".format(
        args.stall, args.gap, args.seed))
    same = sum(a == b for a, b in zip(result.outputs, expected))
    status = "all equal" if same == len(expected) == len(result.outputs) else "MISMATCH:"
    print("outputs    {} collected in {} cycles, {} the model ({}/{})".format(
        len(result.outputs), result.cycles, status, same, len(expected)))
    print("backpress. {} cycles with o.valid high and o.ready low{}".format(
        result.stall_cycles, "" if result.first_stall is None else
        " (first at t = {:g} us: the save file's marker)".format(result.first_stall / 1e9)))
    print("groups     {} groups, {} traces, {} number views ({})".format(
        len(result.groups), sum(len(t) for _, t in result.groups), len(result.views),
        ", ".join(result.views)))
    for path in (result.vcd, result.gtkw):
        print("wrote      {} ({:,} bytes)".format(path, os.path.getsize(path)))
    print("open with  gtkwave {}".format(result.gtkw))
    return 0 if result.outputs == expected else 1

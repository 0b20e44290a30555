"""``sigmoid-hw plot``: the pipeline's sigmoid (or tanh, sigmoid', SiLU) against the exact one.

The figures are ``sigmoid_hw.report.plots`` (three PNG files, 800 x 500 pixels: the
function with a zoomed inset, the error in ulp against x, the error
histogram); the pipeline options are the shared ones of ``sigmoid_hw.scripts.options``.
``--function tanh|dsigmoid|silu`` plots that function's model (the design of
``sigmoid_hw.model.functions.derive_function``: input format, output bits and rounding
apply; the sigmoid core's own options do not).
"""

import os

from sigmoid_hw.model.function_exact import FUNCTIONS
from sigmoid_hw.report.accuracy import accuracy_notes
from sigmoid_hw.report.plots import MAX_POINTS, png_size, write_plots
from sigmoid_hw.scripts.options import (add_pipeline_arguments, check_function_options,
                             pipeline_params_from_args)

__all__ = ["NAME", "HELP", "add_arguments", "run"]

NAME = "plot"
HELP = ("plot the pipeline's sigmoid against the exact one, its error in ulp against x, "
        "and an error histogram (PNG)")

DEFAULT_OUT = os.path.join("build", "plots")


def add_arguments(parser):
    add_pipeline_arguments(parser)
    parser.add_argument("--function", default="sigmoid", choices=FUNCTIONS,
                        help="the function plotted: sigmoid (default), tanh, dsigmoid "
                             "(sigmoid') or silu")
    from sigmoid_hw.scripts.methods import METHOD_DESIGNS
    parser.add_argument("--method", default=None, choices=METHOD_DESIGNS,
                        help="plot this method design's --function (any of the nine)")
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help="output folder (default {})".format(DEFAULT_OUT))
    parser.add_argument("--points", type=int, default=MAX_POINTS,
                        help="inputs plotted at most (default {}: every input of a 16-bit "
                             "format)".format(MAX_POINTS))


def run(args):
    if args.points < 16:
        raise ValueError("Points must be at least 16, not {}".format(args.points))
    if args.method is not None:
        params = _method_unit(args)
    elif args.function == "sigmoid":
        params = pipeline_params_from_args(args)
    else:
        params = _function_params(args)
    paths, data = write_plots(params, args.out, args.points)
    m = data["metrics"]
    fmt = params.input_format
    bound = data["bound"]
    describe = params.describe() if hasattr(params, "describe") else data["what"]
    print("model      {} ({:,} inputs{})".format(describe, m["count"],
                                                ", all of them" if data["exhaustive"]
                                                else ", evenly spaced"))
    print("error      max {:.4f} ulp at x = {:.6g}, mean {:.4f} ulp; correctly rounded {:.2%}, "
          "faithful {:.2%}".format(m["max_ulp"], fmt.to_float(m["worst_x"]), m["mean_ulp"],
                                   m["correctly_rounded"], m["faithful"]))
    if args.method is not None:
        print("bound      {:.4f} ulp where not saturated (the plan's error terms)".format(bound))
    elif args.function == "sigmoid":
        print("bound      1/2 + {:.4f} = {:.4f} ulp (sigmoid_hw.model.pipeline error budget)".format(
            bound - 0.5, bound))
        for note in accuracy_notes(m, fmt, params.output_bits, bound):
            print("note       " + note)
    else:
        print("bound      {:.4f} ulp where not saturated (sigmoid_hw.model.functions.error_bound)".format(
            bound))
    for path in paths:
        w, h = png_size(path)
        print("wrote      {} ({}x{}, {:,} bytes)".format(path, w, h, os.path.getsize(path)))
    return 0


def _method_unit(args):
    """The method unit of ``--method`` and ``--function`` with the options it takes."""
    from sigmoid_hw.hw.designs import make_design
    core_only = [n for n in ("order", "coefficients") if getattr(args, n, None) is not None]
    if core_only:
        raise ValueError("--method {} takes --input-format, --output-bits and --rounding, not {}"
                         .format(args.method, ", ".join("--" + n for n in core_only)))
    return make_design(args.method, function=args.function, input_format=args.input_format,
                       output_bits=args.output_bits, rounding=args.rounding)


def _function_params(args):
    """``derive_function`` of ``--function`` with the options a function design takes."""
    from sigmoid_hw.model.fixed import parse_format
    from sigmoid_hw.model.functions import derive_function
    check_function_options(args)
    fmt = parse_format(args.input_format) if isinstance(args.input_format, str) else None
    return derive_function(args.function, fmt, args.output_bits or 16,
                           args.rounding or "faithful")

"""``sigmoid-hw plot``: the pipeline's sigmoid against the exact one, and its error in ulp.

The figures are ``report.plots`` (three PNG files, 800 x 500 pixels: the
sigmoid with a zoomed inset, the error in ulp against x, the error
histogram); the pipeline options are the shared ones of ``scripts.options``.
"""

import os

from model.pipeline import plan_for
from report.accuracy import accuracy_notes
from report.plots import MAX_POINTS, png_size, write_plots
from scripts.options import add_pipeline_arguments, pipeline_params_from_args

__all__ = ["NAME", "HELP", "add_arguments", "run"]

NAME = "plot"
HELP = ("plot the pipeline's sigmoid against the exact one, its error in ulp against x, "
        "and an error histogram (PNG)")

DEFAULT_OUT = os.path.join("build", "plots")


def add_arguments(parser):
    add_pipeline_arguments(parser)
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help="output folder (default {})".format(DEFAULT_OUT))
    parser.add_argument("--points", type=int, default=MAX_POINTS,
                        help="inputs plotted at most (default {}: every input of a 16-bit "
                             "format)".format(MAX_POINTS))


def run(args):
    if args.points < 16:
        raise ValueError("Points must be at least 16, not {}".format(args.points))
    params = pipeline_params_from_args(args)
    paths, data = write_plots(params, args.out, args.points)
    m = data["metrics"]
    fmt = params.input_format
    bound = 0.5 + float(plan_for(params).error_bound)
    print("model      {} ({:,} inputs{})".format(params.describe(), m["count"],
                                                ", all of them" if data["exhaustive"]
                                                else ", evenly spaced"))
    print("error      max {:.4f} ulp at x = {:.6g}, mean {:.4f} ulp; correctly rounded {:.2%}, "
          "faithful {:.2%}".format(m["max_ulp"], fmt.to_float(m["worst_x"]), m["mean_ulp"],
                                   m["correctly_rounded"], m["faithful"]))
    print("bound      1/2 + {:.4f} = {:.4f} ulp (model.pipeline error budget)".format(
        bound - 0.5, bound))
    for note in accuracy_notes(m, fmt, params.output_bits, bound):
        print("note       " + note)
    for path in paths:
        w, h = png_size(path)
        print("wrote      {} ({}x{}, {:,} bytes)".format(path, w, h, os.path.getsize(path)))
    return 0

"""Command-line options shared by every command: the design and its parameters, the threshold.

One option set for the design parameters (``add_design_arguments`` /
``design_options_from_args``) and one threshold parser (``parse_threshold``):
every command that builds, simulates or draws a design uses these.
"""

from fractions import Fraction

from hw.designs import DEFAULT_DESIGN, DESIGNS

__all__ = ["add_design_arguments", "design_options_from_args", "parse_threshold"]


def parse_threshold(text):
    """``"0.5"``, ``"3/4"`` -> the exact Fraction; ``"runtime"`` stays as it is."""
    if text == "runtime":
        return text
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError("Threshold must be a number such as 0.5 or 3/4, or 'runtime', not {!r}"
                         .format(text)) from None


def add_design_arguments(parser, verb="use"):
    """The ``--design`` option and the design options."""
    parser.add_argument("--design", default=DEFAULT_DESIGN, choices=sorted(DESIGNS),
                        help="design to {} (default {})".format(verb, DEFAULT_DESIGN))
    parser.add_argument("--input-format", default=None, help="input format, e.g. SQ(4,12)")
    parser.add_argument("--output-bits", type=int, default=None, help="output width")
    parser.add_argument("--order", type=int, default=None, help="Taylor order")
    parser.add_argument("--coefficients", default=None,
                        help="pipeline coefficients: table, derived, ... (see SigmoidPipeline)")
    parser.add_argument("--threshold", default=None,
                        help="comparator threshold t (a number, or 'runtime' for a "
                             "programmable limit)")


def design_options_from_args(args):
    """The design options the user gave, as keyword arguments for ``make_design``."""
    return {
        "input_format": args.input_format,
        "output_bits": args.output_bits,
        "order": args.order,
        "coefficients": args.coefficients,
        "threshold": None if args.threshold is None else parse_threshold(args.threshold),
    }

"""``sigmoid-hw threshold T``: the exact comparator limit for a score threshold.

Prints the limit L (an input passes when ``raw >= L``), the boundary input
``L * 2**-f`` as a number, sigmoid just below and at the boundary, and the
seed's float logit ``-ln(1/T - 1)`` with the limit it implies, for comparison.

T is read exactly as written (``sigmoid_hw.scripts.options.parse_threshold``): ``0.7``
is 7/10 (not the float nearest it), ``3/4`` and ``1e-3`` work too, as do
``inf`` and ``-inf``. With ``--raw-format UQ(0,16)`` T is a raw word of that
format instead (``0x8000`` is 1/2).

The seed's formula is evaluated in float64 on ``float(T)``, as the seed's
code would: a T that is exactly inside (0, 1) can still be 0.0 or 1.0 as a
float (``1e-400``), and then the float logit is -inf or +inf; the output
says so. In ``--json``, a logit that is infinite is the string ``"inf"`` or
``"-inf"``.
"""

import decimal
from fractions import Fraction
import json
import math

from sigmoid_hw.model.fixed import parse_format
from sigmoid_hw.model.threshold import threshold_limit, naive_logit, naive_limit, logit_bounds
from sigmoid_hw.scripts.options import parse_threshold

__all__ = ["NAME", "HELP", "add_arguments", "run", "describe"]

NAME = "threshold"
HELP = "exact comparator limit L for sigmoid(x) > T (skip the sigmoid)"


def add_arguments(parser):
    parser.add_argument("threshold", metavar="T",
                        help="the threshold, read exactly: 0.7, 3/4, 1e-3, inf "
                             "(or a raw word with --raw-format)")
    parser.add_argument("--input-format", default="SQ(4,12)", metavar="FMT",
                        help="format of the compared logit (default: SQ(4,12))")
    parser.add_argument("--raw-format", default=None, metavar="FMT",
                        help="read T as a raw word of this format, e.g. UQ(0,16)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _sigmoid_decimal(x, digits=40):
    """sigmoid of an exact rational, to ``digits`` significant digits (stdlib decimal)."""
    with decimal.localcontext() as ctx:
        ctx.prec = digits + 10
        d = decimal.Decimal(x.numerator) / decimal.Decimal(x.denominator)
        value = 1 / (1 + (-d).exp())
        ctx.prec = digits
        return +value


def _json_number(value):
    """A float as JSON holds it: infinities as the strings "inf" and "-inf"."""
    if math.isfinite(value):
        return value
    return "inf" if value > 0 else "-inf"


def describe(t, input_format, label=None):
    """Everything the command prints, as a dict (``label``: T as the user wrote it)."""
    limit = threshold_limit(t, input_format)
    f = input_format.f_bits
    below = _sigmoid_decimal(Fraction(limit - 1, 1 << f))
    at = _sigmoid_decimal(Fraction(limit, 1 << f))
    if limit == input_format.min:
        passes = "all"
    elif limit == input_format.max + 1:
        passes = "none"
    else:
        passes = "raw >= limit"
    if isinstance(t, Fraction) and 0 < t < 1:
        lo, hi = logit_bounds(t, 120)            # error ~ 2**-100 at worst: 25 digits hold
        mid = (lo + hi) / 2
        exact_logit = float(mid)
        with decimal.localcontext() as ctx:
            ctx.prec = 25
            logit_digits = str(decimal.Decimal(mid.numerator) / decimal.Decimal(mid.denominator))
    else:                                        # +-infinity: every or no input passes
        exact_logit = math.inf if t > 0 else -math.inf
        logit_digits = "+inf" if t > 0 else "-inf"
    seed_logit = naive_logit(t)
    seed_limit = naive_limit(t, input_format)
    return {
        "threshold": label if label is not None else str(t),
        "threshold_float": float(t),
        "input_format": repr(input_format),
        "limit": limit,
        "limit_width": input_format.width + 1,
        "passes": passes,
        "boundary_x": float(Fraction(limit, 1 << f)),
        "sigmoid_below": float(below),
        "sigmoid_at": float(at),
        "sigmoid_below_digits": str(below),
        "sigmoid_at_digits": str(at),
        "exact_logit": _json_number(exact_logit),
        "exact_logit_digits": logit_digits,
        "seed_logit": _json_number(seed_logit),
        "seed_limit": seed_limit,
        "seed_agrees": seed_limit == limit,
    }


def _seed_text(info, t):
    """The seed's float logit, and why it is infinite when T is not 0, 1 or beyond."""
    value = info["seed_logit"]
    if not isinstance(value, str):
        return repr(value)
    text = "+inf" if value == "inf" else "-inf"
    if isinstance(t, Fraction) and 0 < t < 1:
        text += " (T is {!r} as a float, so 1/T - 1 is {})".format(
            info["threshold_float"], "+inf" if value == "-inf" else "0")
    return text


def run(args):
    input_format = parse_format(args.input_format)
    raw_format = parse_format(args.raw_format) if args.raw_format is not None else None
    t = parse_threshold(args.threshold, raw_format, runtime=False)
    info = describe(t, input_format, label=args.threshold)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    f = input_format.f_bits
    exact = str(t) if isinstance(t, Fraction) and len(str(t)) <= 40 else "exactly"
    print("threshold T        = {} ({}, {!r} as float)".format(
        info["threshold"], exact, info["threshold_float"]))
    print("input format       = {}, raw range [{}, {}]".format(
        info["input_format"], input_format.min, input_format.max))
    print("limit L            = {} ({} bits; passes: {})".format(
        info["limit"], info["limit_width"], info["passes"]))
    print("boundary x = L/2^{} = {!r}".format(f, info["boundary_x"]))
    interior = info["passes"] == "raw >= limit"
    print("sigmoid(x - 2^-{}) = {}{}".format(
        f, info["sigmoid_below_digits"], "  (<= T: fails)" if interior else ""))
    print("sigmoid(x)         = {}{}".format(
        info["sigmoid_at_digits"], "  (>  T: passes)" if interior else ""))
    print("exact logit(T)     = {}".format(info["exact_logit_digits"]))
    print("seed -ln(1/T - 1)  = {} -> L = {} ({})".format(
        _seed_text(info, t),
        info["seed_limit"],
        "agrees" if info["seed_agrees"] else "WRONG by {}".format(
            info["seed_limit"] - info["limit"])))
    return 0

"""``sigmoid-hw model``: the seed reproduction report.

Prints, from the model alone: the derivative polynomials P_k(y), the bit
patterns of sigmoid(n ln2), the error-versus-order table of the float Taylor
method next to the figures of SEEDS.md, and seed 000's threshold example
(``sigmoid(p) > t`` decided as ``p > logit(t)``). ``--json`` gives the same
figures as one JSON object (infinities as the strings ``"inf"``/``"-inf"``).
"""

from fractions import Fraction
import json
import math
import numbers

import numpy as np

from sigmoid_hw.model.bitpattern import pattern_string, reference_raw
from sigmoid_hw.model.derivatives import derivative_poly
from sigmoid_hw.model.reference import logit, sigmoid
from sigmoid_hw.model.taylor import SEED_MAX_ERROR, error_table

__all__ = ["NAME", "HELP", "add_arguments", "run", "report", "format_poly"]

NAME = "model"
HELP = ("seed reproduction report: derivative polynomials, bit patterns, "
        "Taylor error table, logit thresholds")

PATTERN_NS = range(-4, 5)
THRESHOLDS = (0.0, 0.05, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0)
# The scores p of the threshold example: k/64 for |p| <= 20 (exact in float).
P_STEP = Fraction(1, 64)
P_LIMIT = 20


def add_arguments(parser):
    parser.add_argument("--json", action="store_true",
                        help="print the figures as one JSON object")
    parser.add_argument("--derivatives", type=int, default=6, metavar="K",
                        help="print P_1 .. P_K (1 <= K <= 16, default 6)")
    parser.add_argument("--pattern-bits", type=int, default=24, metavar="F",
                        help="fraction bits of the bit patterns (1 <= F <= 64, default 24)")
    parser.add_argument("--points", type=int, default=240001, metavar="N",
                        help="grid points of the Taylor error table (>= 2, default 240001)")


def format_poly(coeffs, var="y"):
    """Integer coefficients (lowest degree first) as text, e.g. ``y - 3y^2 + 2y^3``."""
    parts = []
    for power, c in enumerate(coeffs):
        if c == 0:
            continue
        mag = abs(c)
        if power == 0:
            term = str(mag)
        else:
            term = ("" if mag == 1 else str(mag)) + var + ("" if power == 1 else "^{}".format(power))
        parts.append(("-" if c < 0 else "+", term))
    if not parts:
        return "0"
    sign, term = parts[0]
    text = ("-" if sign == "-" else "") + term
    for sign, term in parts[1:]:
        text += " {} {}".format(sign, term)
    return text


def _check_range(name, value, low, high=None):
    if not isinstance(value, numbers.Integral) or value < low or (high is not None and value > high):
        raise ValueError("{} must be an integer in [{}, {}], not {!r}".format(
            name, low, "inf" if high is None else high, value))


def _exact_sigmoid_nln2(n):
    return Fraction(1 << n, (1 << n) + 1) if n >= 0 else Fraction(1, 1 + (1 << -n))


def _json_float(v):
    return v if math.isfinite(v) else ("inf" if v > 0 else "-inf")


def report(derivatives=6, pattern_bits=24, points=240001):
    """The report's figures as a dict (the ``--json`` object).

    Raises
    ------
    ValueError
        For a parameter out of range.
    """
    _check_range("Derivatives", derivatives, 1, 16)
    _check_range("Pattern bits", pattern_bits, 1, 64)
    _check_range("Points", points, 2)

    polys = [{"k": k, "coefficients": derivative_poly(k), "text": format_poly(derivative_poly(k))}
             for k in range(1, derivatives + 1)]

    patterns = []
    for n in PATTERN_NS:
        exact = _exact_sigmoid_nln2(n)
        raw = reference_raw(n, pattern_bits)
        patterns.append({"n": n, "pattern": pattern_string(n, pattern_bits),
                         "exact": str(exact), "exact_float": float(exact),
                         "truncated_raw": raw,
                         "truncation_error": float(exact - Fraction(raw, 1 << pattern_bits))})

    taylor = []
    for row in error_table(orders=range(1, 9), limit=12.0, points=points):
        seed = SEED_MAX_ERROR[row["order"]]
        taylor.append(dict(row, seed_max_error=seed, seed_bits=-math.log2(seed),
                           ratio=row["max_error"] / seed))

    p = np.arange(-P_LIMIT / P_STEP, P_LIMIT / P_STEP + 1) * float(P_STEP)
    s = sigmoid(p)
    thresholds = []
    for t in THRESHOLDS:
        limit = logit(t)
        by_sigmoid = s > t
        by_logit = p > limit
        thresholds.append({"t": t, "logit": _json_float(limit),
                           "accepted_by_sigmoid": int(by_sigmoid.sum()),
                           "accepted_by_logit": int(by_logit.sum()),
                           "agree": int((by_sigmoid == by_logit).sum()), "total": int(p.size)})

    return {
        "derivative_polynomials": polys,
        "bit_patterns": {"f_bits": pattern_bits, "rows": patterns},
        "taylor_error": {"limit": 12.0, "points": points, "reference": "SEEDS.md",
                         "rows": taylor},
        "threshold": {"p_min": -P_LIMIT, "p_max": P_LIMIT, "p_step": float(P_STEP),
                      "rows": thresholds},
    }


def _print_text(data):
    print("Seed reproduction report (seeds 000 and 001, float64 model)")
    print()
    print("Derivatives of sigmoid as polynomials in y = sigmoid(x):"
          " P_1 = y(1-y), P_(k+1) = P_k'(y) y(1-y)")
    for row in data["derivative_polynomials"]:
        print("  P{:<2} = {}".format(row["k"], row["text"]))
    print()
    bp = data["bit_patterns"]
    print("sigmoid(n ln2) = 2^n/(2^n+1) from its periodic bit pattern ({} fraction bits,"
          " truncated):".format(bp["f_bits"]))
    print("  {:>3}  {:<{w}}  {:>6}  {:<20}  {}".format(
        "n", "pattern", "exact", "value", "truncation error", w=bp["f_bits"] + 2))
    for row in bp["rows"]:
        print("  {:>3}  {}  {:>6}  {:<20}  {:.3g}".format(
            row["n"], row["pattern"], row["exact"], repr(row["exact_float"]),
            row["truncation_error"]))
    print()
    te = data["taylor_error"]
    print("Float Taylor method about the nearest n ln2: worst error for |x| < {:g}"
          " ({} grid points + interval edges)".format(te["limit"], te["points"]))
    print("  {:>2}  {:>10}  {:>5}  {:>12}  {:>10}  {:>5}  {:>7}".format(
        "K", "max error", "bits", "at x", "SEEDS.md", "bits", "ratio"))
    for row in te["rows"]:
        print("  {:>2}  {:>10.3e}  {:>5.1f}  {:>12.6f}  {:>10.2e}  {:>5.1f}  {:>7.4f}".format(
            row["order"], row["max_error"], row["bits"], row["x_at_max"],
            row["seed_max_error"], row["seed_bits"], row["ratio"]))
    print()
    th = data["threshold"]
    rows = th["rows"]
    print("Skip the sigmoid (seed 000): sigmoid(p) > t decided as p > logit(t),"
          " for p = k/{:g} in [{}, {}] ({} scores)".format(
              1 / th["p_step"], th["p_min"], th["p_max"], rows[0]["total"]))
    print("  {:>5}  {:>20}  {:>14}  {:>14}  {}".format(
        "t", "logit(t)", "sigmoid(p) > t", "p > logit(t)", "agree"))
    for row in rows:
        print("  {:>5g}  {:>20}  {:>14}  {:>14}  {}/{}".format(
            row["t"], repr(row["logit"]) if isinstance(row["logit"], float) else row["logit"],
            row["accepted_by_sigmoid"], row["accepted_by_logit"], row["agree"], row["total"]))


def run(args):
    data = report(derivatives=args.derivatives, pattern_bits=args.pattern_bits,
                  points=args.points)
    if args.json:
        print(json.dumps(data, indent=1, allow_nan=False))
    else:
        _print_text(data)
    return 0

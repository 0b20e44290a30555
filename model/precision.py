"""Fraction bits of the Horner accumulators, allocated by multiplier ports (for correct rounding).

Faithful rounding splits its budget evenly (``sigmoid_hw.model.widths``). Correct
rounding needs a far smaller error (each input within the bound of a rounding
boundary must be checked and possibly corrected, so the bound sets how many
corrections there are), and there the cost that matters is the number of
hardware multipliers: a product ``d x acc_k`` takes ``ceil(width(acc_k) /
port)`` multiplier blocks per ``port`` bits of d (SB_MAC16: 16 x 16;
MULT18X18D: 18 x 18, so 16 serves both). Fraction bits below a port boundary
are free. ``allocate`` tries every assignment of port counts to the
accumulators (non-increasing from acc_1, which needs the most bits), gives
each accumulator the most fraction bits that fit its ports, and keeps the
assignment with the fewest blocks whose bound meets the budget.
"""

import itertools
from fractions import Fraction
import math

from sigmoid_hw.model.intmath import signed_bits

__all__ = ["allocate", "PORT_BITS"]

PORT_BITS = 16


def _width(lo, hi, f):
    """Signed bits of an accumulator whose value lies in [lo, hi], at f fraction bits."""
    return signed_bits(math.floor(lo * (1 << f)) - 2, math.ceil(hi * (1 << f)) + 2)


def _max_frac(lo, hi, bits):
    f = 0
    while _width(lo, hi, f + 1) <= bits:
        f += 1
    return f if _width(lo, hi, f) <= bits else None


def allocate(plan, budget, approx, max_ports=4, port=PORT_BITS):
    """``(acc_frac, blocks, bound)`` of the cheapest allocation meeting ``budget`` ulp, or None.

    Parameters
    ----------
    plan : sigmoid_hw.model.plan.Plan
        A plan of the same order and coefficients (its accumulator ranges give
        each accumulator's magnitude).
    budget : Fraction
        Bound (ulp) to meet before the final rounding.
    approx : Fraction
        The approximation error (ulp).
    """
    p, h, red = plan.params, plan.reduction.h, plan.reduction
    K, F = p.order, p.output_bits
    ulp = Fraction(1, 1 << F)
    hz = plan.horner
    values = [(Fraction(lo, 1 << hz.acc_frac[k]), Fraction(hi, 1 << hz.acc_frac[k]))
              for k, (lo, hi) in enumerate(hz.acc_range)]
    d_ports = -(-red.d_width // port)
    best = None
    for classes in itertools.combinations_with_replacement(range(max_ports, 0, -1), K):
        # from acc_K down: as many bits as the ports hold, but each stage's shift
        # d_frac + F_(k+1) - F_k must stay at least 1
        frac = [None] * (K + 1)
        frac[0] = F
        for k in range(K, 0, -1):
            f = _max_frac(*values[k], classes[k - 1] * port)
            if f is None:
                break
            if k < K:
                f = min(f, frac[k + 1] + red.d_frac - 1)
            frac[k] = f
        else:
            if frac[1] + red.d_frac <= F:
                continue
            rounding = sum(h ** k / (1 << (frac[k] + 1)) for k in range(1, K))
            # table constants at the products' scale, c_K at F_K, y0 at the last product's
            coefs = (sum(h ** k / (1 << (red.d_frac + frac[k + 1] + 1)) for k in range(1, K))
                     + h ** K / (1 << (frac[K] + 1)) + Fraction(1, 1 << (red.d_frac + frac[1] + 1)))
            bound = approx + (rounding + coefs) / ulp
            blocks = d_ports * sum(-(-_width(*values[k], frac[k]) // port)
                                   for k in range(1, K + 1))
            if bound <= budget and (best is None or (blocks, bound) < (best[1], best[2])):
                best = (tuple(frac), blocks, bound)
    return best

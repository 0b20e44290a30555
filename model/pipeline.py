"""The bit-exact integer model of the sigmoid pipeline: the specification the RTL must equal.

Data path (seed 001's method; every stage is a register stage in ``hw/``)::

    x (SQ(i,f) raw)
    1 fold     a = min(|x|, A_clamp)         sign = x < 0        sigmoid(-x) = 1 - sigmoid(x)
    2 reduce   n = #{k : a >= T_k}           T_k = ceil((k - 1/2) ln2 2^f)  (exact: no multiplier)
    3 offset   d = a 2^G - C_n               C_n = round(n ln2 2^(f+G))     y0 = pattern(n)
      [derived only: J+2 stages computing c_k = P_k(y0)/k! from y0 with multipliers]
    4.. Horner acc_K = c_K;  acc_k = (d * acc_{k+1} + A_k(n)) >> s_k,   k = K-1 .. 0
    last out   r = clamp(acc_0, 0, 2^F);  y = min(sign ? 2^F - r : r, 2^F - 1)

``A_k(n)`` is the coefficient aligned to the product's scale plus half a unit
of the stage's result (so ``>>`` rounds to nearest); for k = 0 it is the
bit-pattern reference y0 plus a per-n constant, and acc_0 *is* the output
rounded to F bits.

Coefficients. ``coefficients="table"``: the order-K Taylor polynomial p_n(t)
of sigmoid about n ln2 is re-expanded about the representable point C_n
(exactly the same polynomial, another basis), so d needs no guard bits (G=0):
``c'_k = sum_{j>=k} c_j binom(j, k) e_n^(j-k)`` with e_n = C_n - n ln2.
c'_k (k >= 1) are per-n constants; c'_0 = y0 + delta_n where y0 is the bit
pattern and delta_n a per-n constant folded into the rounding constant.
``coefficients="minimax"``: like "table", but each segment's polynomial is the
degree-K fit of least maximum error over the segment's inputs (Lawson's
algorithm) instead of the Taylor polynomial: c'_0 is still y0 (bit pattern)
plus a per-n constant, and the hardware is the same. Usually one order lower.
``coefficients="derived"``: c_k = P_k(y0)/k! computed from y0 by multipliers,
as the seed describes: u = y0 (1 - y0), t = 1 - 2 y0, powers u^j, and
P_k = sum_j alpha_kj u^j (odd k) or t sum_j beta_kj u^j (even k); d keeps G
guard bits since the polynomial is centred on n ln2 itself.

Where each part lives (no module imports one above it)::

    sigmoid_hw.model.validate   the parameter checks        sigmoid_hw.model.intmath   rounding shifts, widths
    sigmoid_hw.model.params     PipelineParams (frozen)     sigmoid_hw.model.geometry  thresholds, C_n, range of d
    sigmoid_hw.model.approx     Taylor bound, minimax fit   sigmoid_hw.model.derived   the derived-coefficient recipe
    sigmoid_hw.model.plan       plan_for -> Plan (frozen)   sigmoid_hw.model.trace     trace_fixed, sigmoid_fixed
    sigmoid_hw.model.widths     derive_params               sigmoid_hw.model.pipeline  this summary and the defaults

Error budget (in units of the output's last place, ulp = 2^-F). The value
before the final rounding differs from sigmoid(|x|) by at most ``E``::

    E = max_n [ approx_n                      Taylor remainder, Lagrange bound
              + sum_{k=1}^{K-1} h^k 2^-(F_k+1)  rounding of each Horner accumulator
              + sum_k h^k |c_k,q - c_k|        coefficient quantization (exact per n)
              + 2^-(P_0+1) or 2^-P_0           y0 / delta_n at the last product's scale
              + max|p'| 2^-(f+G+1)           (derived) the rounding of C_n ]

where h is the largest |d| that occurs. Widths are derived so that
E <= budget (1/4 ulp by default), so |y - 2^F sigmoid(x)| < 1/2 + E < 1:
faithful rounding, by construction; the exhaustive comparison proves it.
"""

from sigmoid_hw.model.params import COEFFICIENT_SOURCES, PipelineParams
from sigmoid_hw.model.plan import Plan, plan_for
from sigmoid_hw.model import trace as _trace
from sigmoid_hw.model.widths import derive_params

__all__ = ["PipelineParams", "derive_params", "sigmoid_fixed", "plan_for", "Plan",
           "COEFFICIENT_SOURCES", "trace_fixed"]


def trace_fixed(raw_x, params=None):
    """``sigmoid_hw.model.trace.trace_fixed`` with ``params`` defaulting to ``derive_params()``."""
    return _trace.trace_fixed(raw_x, derive_params() if params is None else params)


def sigmoid_fixed(raw_x, params=None):
    """``sigmoid_hw.model.trace.sigmoid_fixed`` with ``params`` defaulting to ``derive_params()``.

    Returns the raw UQ(0, output_bits) outputs (an int for a scalar input).
    """
    return _trace.sigmoid_fixed(raw_x, derive_params() if params is None else params)

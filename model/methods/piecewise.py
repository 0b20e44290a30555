"""``PiecewisePolynomial``'s plan and model: a polynomial per uniform segment, Horner in integers.

The folded domain ``lo .. hi`` of a ``Problem`` (``sigmoid_hw.model.methods.spec``) is
``u = a - lo = 0 .. 2^n - 1`` (unfolded input: offset binary), plus, for a
folded input, the one point ``u = 2^n`` (the most negative input folded).
``2^k`` uniform segments: the top ``k`` bits of ``u`` address the segment
``s = min(u >> m, 2^k - 1)`` (``m = n - k``; the extra point belongs to the
last segment), the low bits give the centred offset ``t = u - s 2^m - 2^(m-1)``
in ``-2^(m-1) .. 2^(m-1)`` (``z = t / 2^m`` in ``[-1/2, 1/2]``; ``m + 1`` signed
bits when the extra point exists, else ``m``).

Per segment a polynomial ``p(z) = c_0 + c_1 z + ... + c_d z^d`` approximates
``h 2^f_out`` (output ulp) on the segment's points: a discrete minimax fit
(Lawson's iteratively reweighted least squares on every point, floats: the
fit only has to be good, the proof below is exhaustive). Its coefficients are
integers ``C_j = round(c_j 2^F_j + b_j)`` (``F_j`` fraction bits; ``b_j`` the
biases below), evaluated by Horner with each product truncated (an
arithmetic shift, FloPoCo's ``FixHornerEvaluator``)::

    acc_d = C_d
    acc_j = C_j + floor(acc_(j+1) t / 2^(F_(j+1) + m - F_j))     j = d-1 .. 0
    y_h   = floor(acc_0 / 2^F_0)

``b_0`` holds ``2^(F_0 - 1)``, which makes the last shift round to nearest;
``b_j`` holds ``1/2`` for j < d, which centres the truncation of the product landing in ``acc_j`` (error in
``(-1, 0]`` units of ``2^-F_j`` becomes ``(-1/2, 1/2]``). The error of ``y_h``
against ``h 2^f_out``, in output ulp, is at most the sum of named terms
(``PiecewisePlan.error_terms``), ``|z| <= 1/2``::

    approximation         max |p(z) - h 2^f_out| over every domain point (measured)
    coefficient rounding  sum_j  2^-(F_j + 1) 2^-j
    product truncation    sum_(j<d) 2^-(F_j + 1) 2^-j
    final rounding        1/2

The ``F_j`` are chosen (FloPoCo's ``computeLSBs`` idea) as the cheapest
vector (stored bits plus multiplier bits) whose rounding terms fit the
budget: ``1/2 - approximation`` for faithful rounding; for correct rounding a
tighter one (rounding terms of ``2^-g``, ``g`` growing until at most
``MAX_CORRECTIONS`` points are wrong; segments are halved, up to four times,
while the fit's own error makes more), then every domain point where
``y_h != R`` gets a correction ``(a, R - y_h)`` (``spec.find_corrections``).
For a monotonic function a point where a faithful ``y_h`` steps backwards
gets the correction to the largest value before it (still faithful:
``y_h(b) < h(b) + 1 <= h(a) + 1`` for ``b < a``); one and two guard bits
more are tried too, which make fewer. ``evaluate_piecewise`` is the bit-exact model
of the gateware; ``derive_piecewise`` checks it on every domain point and
raises if the bound does not hold.

Degree and segments (``None``): for each degree 1 .. 3, the smallest ``k``
(at most ``MAX_SEGMENT_BITS``) whose fit errs at most 0.45 ulp (faithful;
``2^-5`` correct), and ``k + 1``;
of those the cheapest by ``PiecewisePlan.cost(family)``: its shares of the
budget a unit has on the family's device (LUT, DSP, block RAM from its
widths, ``sigmoid_hw.model.methods.devices``); with no family, the sum of those on the
UP5K, HX8K and ECP5 (a plan good on all three: the registry's default).
"""

from dataclasses import dataclass
import functools

import numpy as np

from sigmoid_hw.model.exact.function import Rounding
from sigmoid_hw.model.methods.devices import DEVICES
from sigmoid_hw.model.methods.polyfit import (split, choose_lsbs, quantize,
                                   signed_bits, field, horner_wide, problem_fit)
from sigmoid_hw.model.methods.spec import Problem, find_corrections, apply_corrections
from sigmoid_hw.model.validate import check_choice, check_instance, check_int

__all__ = ["PiecewisePlan", "derive_piecewise", "evaluate_piecewise",
           "MAX_DEGREE", "MAX_CORRECTIONS"]

MAX_DEGREE = 3
MAX_CORRECTIONS = 16     # correct rounding: the most wrongly rounded points a plan may fix
MAX_SEGMENT_BITS = 16    # the search's largest segment count, 2^16 (more only when asked for)
_CORRECT_FIT = 2.0 ** -5  # correct rounding: the largest fit error tried (ulp)
_SLACK = 2.0 ** -30      # the float fit's own error, far above float64's
_CORRECTION_LUTS = 6     # a 16-bit comparator and its share of the delta mux
_ANY_FAMILY = ("ice40-up", "ice40-hx", "ecp5")   # family None: the sum of their costs


@dataclass(frozen=True, eq=False)
class PiecewisePlan:
    """A piecewise-polynomial approximation and its evaluation (module docstring).

    Members
    -------
    problem : Problem
    degree : int
    segment_bits : int
        ``k``: ``2^k`` segments.
    domain_bits : int
        ``n``: ``u = a - lo`` has ``n`` bits, plus the extra point ``2^n`` if ``extra``.
    extra : bool
    frac_bits : tuple of int
        ``F_0 .. F_d``.
    coefficients : tuple of tuple of int
        ``coefficients[j][s]`` = ``C_j`` of segment ``s`` (biases included).
    approximation : float
        The fit's measured error (ulp), before coefficient rounding.
    max_error : float
        ``max |y_h - h 2^f_out|`` on every domain point (before corrections).
    corrections : tuple of (int, int)
        ``(a, delta)``: ``y_h + delta`` at ``a``.
    family : str or None
        The family the plan was costed for.
    """
    problem: Problem
    degree: int
    segment_bits: int
    domain_bits: int
    extra: bool
    frac_bits: tuple
    coefficients: tuple
    approximation: float
    max_error: float
    corrections: tuple = ()
    family: object = None

    @property
    def segments(self):
        return 1 << self.segment_bits

    @property
    def offset_bits(self):
        """``m``: bits of the offset within a segment."""
        return self.domain_bits - self.segment_bits

    @property
    def t_bits(self):
        """Signed bits of the centred offset ``t``."""
        return self.offset_bits + (1 if self.extra else 0)

    @property
    def shifts(self):
        """``shifts[j]`` (j < d): the right shift of ``acc_(j+1) t`` before it is added to ``C_j``
        (negative: a left shift)."""
        F, m = self.frac_bits, self.offset_bits
        return tuple(F[j + 1] + m - F[j] for j in range(self.degree))

    @property
    def fields(self):
        """Per order ``(bits, prefix)`` (``_field``): ``C_j = prefix 2^bits + stored``, or
        ``stored`` as signed ``bits`` bits where ``prefix`` is None."""
        return tuple(field(c) for c in self.coefficients)

    @property
    def word_bits(self):
        return max(1, sum(bits for bits, _ in self.fields))

    @property
    def table_bits(self):
        return self.segments * self.word_bits

    @property
    def entries(self):
        """The memory's words: the stored parts of ``C_0 .. C_d``, ``C_0`` in the low bits."""
        words = []
        fields = self.fields
        for s in range(self.segments):
            word, offset = 0, 0
            for j, (bits, prefix) in enumerate(fields):
                base = 0 if prefix is None else prefix << bits
                word |= ((self.coefficients[j][s] - base) & ((1 << bits) - 1)) << offset
                offset += bits
            words.append(word)
        return tuple(words)

    def _trace(self):
        return _trace(self, self.problem.points)

    @functools.cached_property
    def acc_ranges(self):
        """``(min, max)`` of ``acc_0 .. acc_d`` over the domain (``acc_d = C_d``)."""
        accs = self._trace()
        return tuple((int(v.min()), int(v.max())) for v in accs)

    @property
    def acc_bits(self):
        return tuple(signed_bits(lo, hi) for lo, hi in self.acc_ranges)

    @property
    def product_bits(self):
        """``(a_bits, b_bits)`` per product ``acc_(j+1) t``, j = d-1 .. 0 (signed widths)."""
        bits = self.acc_bits
        return tuple((bits[j + 1], self.t_bits) for j in range(self.degree - 1, -1, -1))

    @property
    def error_terms(self):
        """Named bounds on ``|y_h - h 2^f_out|`` in output ulp (module docstring)."""
        F, d = self.frac_bits, self.degree
        return {
            "approximation": self.approximation,
            "coefficient rounding": sum(2.0 ** -(F[j] + 1 + j) for j in range(d + 1)),
            "product truncation": sum(2.0 ** -(F[j] + 1 + j) for j in range(d)),
            "final rounding": 0.5,
        }

    @property
    def error_bound(self):
        return sum(self.error_terms.values()) + _SLACK

    def resources(self, family):
        """``{"luts", "dsps", "brams"}`` the cost model expects on ``family`` (``DEVICES``):
        the core's adders and multipliers, and the frame's correction path if any."""
        dev = DEVICES[family]
        dsps, luts = 0, 0
        for a_bits, b_bits in self.product_bits:
            d, l = dev.multiplier(a_bits, b_bits)
            dsps, luts = dsps + d, luts + l
        luts += sum(self.acc_bits[:-1]) + self.segment_bits + 2
        if self.corrections:
            luts += self.acc_bits[0] + _CORRECTION_LUTS * len(self.corrections)
        return {"luts": luts, "dsps": dsps, "brams": dev.blocks(self.segments, self.word_bits)}

    def cost(self, family=None):
        """The quantity ``derive_piecewise`` minimizes (module docstring)."""
        if family is None:
            return sum(self.cost(f) for f in _ANY_FAMILY)
        r = self.resources(family)
        return DEVICES[family].cost(r["luts"], r["dsps"], r["brams"])

    def describe(self):
        return "degree {} on {} segments, {} x {} bits, F = {}, {} corrections".format(
            self.degree, self.segments, self.segments, self.word_bits, self.frac_bits,
            len(self.corrections))


def _trace(plan, a):
    """``acc_0 .. acc_d`` at domain points ``a`` (int64; object arrays for wide plans)."""
    a = np.asarray(a, dtype=np.int64)
    seg, t = split(plan.segment_bits, plan.domain_bits, a - plan.problem.lo)
    wide = horner_wide(plan.coefficients, plan.t_bits, plan.shifts)
    if wide:
        t = t.astype(object)
    coeffs = [np.asarray(c, dtype=object if wide else np.int64)[seg] for c in plan.coefficients]
    accs = [None] * (plan.degree + 1)
    acc = accs[plan.degree] = coeffs[plan.degree]
    for j in range(plan.degree - 1, -1, -1):
        p = plan.shifts[j]
        prod = acc * t
        acc = accs[j] = coeffs[j] + (prod >> p if p >= 0 else prod << -p)
    return accs


def evaluate_piecewise(plan, a, corrected=False):
    """``y_h`` at domain points ``a`` (numpy int64): what ``PiecewisePolynomial``'s core
    computes, bit for bit. The corrections are the frame's (``sigmoid_hw.hw.methods.folded``): added by
    ``sigmoid_hw.model.methods.spec.unit_model``, or here with ``corrected=True``."""
    check_instance("plan", plan, PiecewisePlan, "a PiecewisePlan")
    a = np.asarray(a, dtype=np.int64)
    y = np.asarray(_trace(plan, a)[0] >> plan.frac_bits[0]).astype(np.int64)
    return apply_corrections(plan.corrections, a, y) if corrected else y


def _plan(problem, degree, segment_bits, domain_bits, extra, fit, F, family):
    c, approx = fit
    plan = PiecewisePlan(problem, degree, segment_bits, domain_bits, extra, tuple(F),
                         quantize(c, F, degree), approx, 0.0, (), family)
    a = problem.points
    y = evaluate_piecewise(plan, a)
    err = problem.error_ulp(y)
    max_error = float(np.abs(err).max())
    corrections = ()
    if problem.spec.rounding is Rounding.CORRECT:
        corrections = find_corrections(problem, y)
    elif problem.spec.function.monotonic:
        corrections = _monotonic_fixes(problem, y)
    return PiecewisePlan(problem, degree, segment_bits, domain_bits, extra, tuple(F),
                         plan.coefficients, approx, max_error, corrections, family)


def _monotonic_fixes(problem, y):
    """Corrections that make a faithful ``y_h`` monotonic in ``h``'s direction."""
    r = problem.rounded
    rising = r[-1] >= r[0]
    fixed = np.maximum.accumulate(y) if rising else np.minimum.accumulate(y)
    wrong = np.flatnonzero(fixed != y)
    return tuple((int(problem.lo + k), int(fixed[k] - y[k])) for k in wrong)


def _approximation(problem, degree, k, domain_bits, cache):
    if (degree, k) not in cache:
        cache[degree, k] = problem_fit(problem, degree, k, domain_bits)
    return cache[degree, k]


def _smallest_k(problem, degree, domain_bits, limit, cache):
    """The smallest ``k`` whose fit errs at most ``limit`` ulp (bisection: the error falls
    as segments are halved), or None."""
    lo, hi = 0, min(domain_bits - 2, MAX_SEGMENT_BITS)
    if _approximation(problem, degree, hi, domain_bits, cache)[1] > limit:
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if _approximation(problem, degree, mid, domain_bits, cache)[1] <= limit:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _at(problem, degree, k, domain_bits, extra, family, cache):
    """The plans tried at ``degree`` and ``k``: for faithful rounding the budget's LSBs and
    (a monotonic function) one and two guard bits more, which step backwards less often; for
    correct rounding rounding terms of ``2^-g``, ``g`` growing until at most
    ``MAX_CORRECTIONS`` points are wrong."""
    fit = _approximation(problem, degree, k, domain_bits, cache)
    approx = fit[1]
    t_bits = domain_bits - k + (1 if extra else 0)
    plans = []
    if problem.spec.rounding is Rounding.CORRECT:
        for g in range(2, 40):
            F = choose_lsbs(degree, 2.0 ** -g, t_bits)
            plan = _checked(_plan(problem, degree, k, domain_bits, extra, fit, F, family))
            if len(plan.corrections) <= MAX_CORRECTIONS:
                plans.append(plan)
                break
            if 2.0 ** -g < approx / 8:
                break       # the fit's own error makes the wrong points: more bits won't do
        return plans
    budget = 0.5 - approx - 2 * _SLACK
    if budget <= 2.0 ** -40:
        return plans
    F = choose_lsbs(degree, budget, t_bits)
    guards = (0, 1, 2) if problem.spec.function.monotonic else (0,)
    for guard in guards:
        plan = _checked(_plan(problem, degree, k, domain_bits, extra, fit,
                              tuple(f + guard for f in F), family))
        if plan.error_bound < 1:
            plans.append(plan)
        if not plan.corrections:
            break
    return plans


def _checked(plan):
    if plan.max_error > plan.error_bound:
        raise ArithmeticError("piecewise plan {} errs {} ulp, above its bound {}".format(
            plan.describe(), plan.max_error, plan.error_bound))
    return plan


def _candidates(problem, degree, domain_bits, extra, family, cache):
    """Plans of ``degree`` at the smallest ``k`` that meets the budget and at ``k + 1``."""
    correct = problem.spec.rounding is Rounding.CORRECT
    k0 = _smallest_k(problem, degree, domain_bits, _CORRECT_FIT if correct else 0.45, cache)
    if k0 is None:
        return []
    found = []
    for k in range(k0, domain_bits - 1):
        plans = _at(problem, degree, k, domain_bits, extra, family, cache)
        found.extend(plans)
        if plans and k > k0:
            break
        if k >= k0 + (4 if correct else 1):
            break
    return found


def derive_piecewise(problem, degree=None, segments=None, family=None):
    """The ``PiecewisePlan`` of ``problem`` (module docstring).

    Parameters
    ----------
    problem : Problem
    degree : int or None
        1 .. 3; None tries each.
    segments : int or None
        A power of two, at most a quarter of the domain's points; None: the
        fewest that meet the budget (and twice that, for the cost to choose).
    family : ``"ice40-up"``, ``"ice40-hx"``, ``"ecp5"`` or None
        What ``PiecewisePlan.cost`` weighs.

    Raises
    ------
    TypeError, ValueError
        For a parameter of the wrong type or value, or a degree and segment
        count whose error bound is not below 1 ulp (faithful) or whose fit is
        above ``2^-9`` ulp (correct).
    """
    check_instance("problem", problem, Problem, "a Problem from sigmoid_hw.model.methods.spec.problem")
    if family is not None:
        check_choice("family", family, tuple(DEVICES))
    count = problem.hi - problem.lo + 1
    domain_bits = count.bit_length() - 1
    extra = count - (1 << domain_bits)
    if extra > 1:
        raise ValueError("problem must have 2^n or 2^n + 1 domain points, not {}".format(count))
    degrees = range(1, MAX_DEGREE + 1)
    cache = {}
    if degree is not None:
        degrees = [check_int("degree", degree, 1, MAX_DEGREE)]
    if segments is not None:
        top = 1 << (domain_bits - 2)
        segments = check_int("segments", segments, 1, top)
        if segments & (segments - 1):
            raise ValueError("segments must be a power of two, not {}".format(segments))
        k = segments.bit_length() - 1
        plans = [p for d in degrees
                 for p in _at(problem, d, k, domain_bits, bool(extra), family, cache)]
        if not plans:
            raise ValueError("{} segments of degree {} do not meet the {} budget of {}".format(
                segments, "1 .. 3" if degree is None else degree, problem.spec.rounding,
                problem.spec.describe()))
    else:
        plans = [p for d in degrees
                 for p in _candidates(problem, d, domain_bits, bool(extra), family, cache)]
        if not plans:
            raise ValueError("no segment count of degree {} meets the {} budget of {}".format(
                "1 .. 3" if degree is None else degree, problem.spec.rounding,
                problem.spec.describe()))
    return min(plans, key=lambda p: p.cost(family))

"""Piecewise polynomials within a number of ulp: ``derive_piecewise_budget`` and generate's options.

``sigmoid_hw.model.methods.piecewise`` derives its plans for faithful (< 1 ulp)
or correct rounding. For an accuracy of ``U`` ulp (``U >= 1``: TFLite's
interpolated tables err 1.476 ulp) the same plan (``PiecewisePlan``: uniform
segments, Horner with truncated products, the same gateware) may err up to
``U``, which leaves room for fewer segments and narrower coefficients. At a
degree and ``2^k`` segments:

1. ``F`` from ``choose_lsbs`` with the rounding budget ``U - 1/2 -
   approximation``: the plan's analytic bound (``PiecewisePlan.error_bound``,
   the module docstring of ``piecewise``) is within ``U``;
2. then, while it stays so, one ``F_j`` at a time is lowered by one (the one
   leaving the narrowest word, then the smallest error): the plan's error
   measured on every domain point against the certified values
   (``PiecewisePlan.max_error``, exhaustive: the proof) must stay within ``U``;
   the analytic bound still holds (it is checked to), it may now exceed ``U``.

No corrections: a number of ulp asks for the error only (the faithful plans'
monotonic fixes are left out). A segment whose ``y_h`` would leave the output's
range on either side of the fold is the constant at that edge (``CappedPlan``):
the frame (``FoldedUnit``) then saturates nothing. ``k`` runs from the smallest whose fit errs at
most ``U - 0.55`` ulp (faithful's 0.45 at ``U = 1``) to ``EXTRA_SEGMENT_BITS``
more; ``derive_piecewise_budget`` picks the cheapest by ``PiecewisePlan.cost``,
``piecewise_budget_options`` lists each degree and segment count that meets
``U`` for ``sigmoid-hw generate`` to weigh on its device.
"""

import dataclasses
import numbers

import numpy as np

from sigmoid_hw.model.methods.piecewise import (
    PiecewisePlan, MAX_DEGREE, evaluate_piecewise, _approximation, _plan, _smallest_k)
from sigmoid_hw.model.methods.devices import DEVICES
from sigmoid_hw.model.methods.polyfit import choose_lsbs, split
from sigmoid_hw.model.methods.spec import FunctionSpec, Problem, exact_folds, problem, domain_bits
from sigmoid_hw.model.validate import check_choice, check_instance, check_int

__all__ = ["derive_piecewise_budget", "piecewise_budget_options", "check_budget", "CappedPlan",
           "EXTRA_SEGMENT_BITS"]

EXTRA_SEGMENT_BITS = 2      # segment counts tried above the smallest that fits
_FIT_SHARE = 0.55           # the fit may take U - 0.55 ulp (faithful's 0.45 at U = 1)
_SLACK = 2.0 ** -30
_CACHE = {}                 # (spec, fold, U, degree, k, family) -> plan or None


def check_budget(budget_ulp):
    """``budget_ulp`` as a float: a real number of ulp, at least 1."""
    if isinstance(budget_ulp, bool) or not isinstance(budget_ulp, numbers.Real):
        raise TypeError("budget_ulp must be a number of ulp, not {!r}".format(budget_ulp))
    value = float(budget_ulp)
    if not value >= 1.0 or value == float("inf"):
        raise ValueError("budget_ulp must be a finite number of ulp of at least 1, not {!r}"
                         .format(budget_ulp))
    return value


@dataclasses.dataclass(frozen=True, eq=False)
class CappedPlan(PiecewisePlan):
    """A ``PiecewisePlan`` whose segments that would leave the output's range (``_cap``) are
    the constant at its edge: ``cap_error`` is their largest error (measured on their
    points, as the fit's approximation), the others keep the analytic bound."""
    cap_error: float = 0.0

    @property
    def error_bound(self):
        return max(super().error_bound, self.cap_error + _SLACK)


def _y_range(prob):
    """``(lo, hi)``: the ``y_h`` whose rebuild the output's range holds on either side of the
    fold (no saturation needed), or None for a fold whose rebuild depends on the input."""
    lo, hi = prob.spec.function.saturation(prob.spec.output_format)
    one = 1 << prob.spec.output_format.f_bits
    sides = (prob.fold.positive, prob.fold.negative) if prob.fold.folded else (prob.fold.positive,)
    out = [-np.inf, np.inf]
    for k_h, k_a, c in sides:
        if k_a or abs(k_h) != 1:
            return None
        ends = sorted(((lo - c * one) * k_h, (hi - c * one) * k_h))
        out = [max(out[0], ends[0]), min(out[1], ends[1])]
    return int(out[0]), int(out[1])


def _cap(plan):
    """``plan`` with each segment whose ``y_h`` leaves ``_y_range`` replaced by the constant at
    that edge (``C_j = 0`` for ``j > 0``), so the frame saturates nothing; ``plan`` itself
    where nothing leaves it."""
    prob = plan.problem
    edges = _y_range(prob)
    if edges is None:
        return plan
    y = evaluate_piecewise(plan, prob.points)
    seg = split(plan.segment_bits, plan.domain_bits, prob.points - prob.lo)[0]
    coeffs = [list(c) for c in plan.coefficients]
    capped = np.zeros(y.size, dtype=bool)
    for bad, edge in ((y > edges[1], edges[1]), (y < edges[0], edges[0])):
        for s in np.unique(seg[bad]):
            coeffs[0][s] = edge << plan.frac_bits[0]
            for j in range(1, plan.degree + 1):
                coeffs[j][s] = 0
            capped |= seg == s
    if not capped.any():
        return plan
    out = CappedPlan(prob, plan.degree, plan.segment_bits, plan.domain_bits, plan.extra,
                     plan.frac_bits, tuple(tuple(c) for c in coeffs), plan.approximation, 0.0,
                     (), plan.family)
    err = np.abs(prob.error_ulp(evaluate_piecewise(out, prob.points)))
    return dataclasses.replace(out, max_error=float(err.max()),
                               cap_error=float(err[capped].max()))


def _measured(prob, degree, k, n, extra, fit, F, family):
    plan = _cap(dataclasses.replace(_plan(prob, degree, k, n, extra, fit, F, family),
                                    corrections=()))
    if plan.max_error > plan.error_bound:
        raise ArithmeticError("piecewise plan {} errs {} ulp, above its bound {}".format(
            plan.describe(), plan.max_error, plan.error_bound))
    return plan


def _at(prob, U, degree, k, family, fits):
    """The plan of ``degree`` on ``2^k`` segments within ``U`` (module docstring), or None."""
    key = (prob.spec.describe(), prob.fold.name, U, degree, k, family)
    if key in _CACHE:
        return _CACHE[key]
    n, extra = domain_bits(prob)
    fit = _approximation(prob, degree, k, n, fits)
    room = U - 0.5 - fit[1] - 2 * _SLACK
    plan = None
    if room > 2.0 ** -40:
        F = choose_lsbs(degree, room, n - k + extra)
        plan = _measured(prob, degree, k, n, extra, fit, F, family)
        if plan.max_error > U:
            plan = None
    while plan is not None:
        lower = [tuple(f - (i == j) for i, f in enumerate(plan.frac_bits))
                 for j in range(degree + 1)
                 if plan.frac_bits[j] > (1 if j == 0 else -64) and any(plan.coefficients[j])]
        tried = [_measured(prob, degree, k, n, extra, fit, F, family) for F in lower]
        fits_u = [p for p in tried if p.max_error <= U]
        if not fits_u:
            break
        plan = min(fits_u, key=lambda p: (p.word_bits, p.max_error))
    if len(_CACHE) >= 512:
        _CACHE.clear()
    _CACHE[key] = plan
    return plan


def _plans(prob, U, degrees, family):
    n, _ = domain_bits(prob)
    fits, out = {}, []
    for d in degrees:
        k0 = _smallest_k(prob, d, n, U - _FIT_SHARE, fits)
        if k0 is None:
            continue
        for k in range(k0, min(k0 + EXTRA_SEGMENT_BITS, n - 2) + 1):
            plan = _at(prob, U, d, k, family, fits)
            if plan is not None:
                out.append(plan)
    return out


def derive_piecewise_budget(prob, budget_ulp, degree=None, segments=None, family=None):
    """The cheapest ``PiecewisePlan`` of ``prob`` (a ``Problem``) whose error, on every domain
    point, is at most ``budget_ulp`` ulp (module docstring); ``degree`` and ``segments`` as
    ``derive_piecewise`` (None: each tried); ``family`` what ``PiecewisePlan.cost`` weighs."""
    check_instance("problem", prob, Problem, "a Problem from sigmoid_hw.model.methods.spec")
    U = check_budget(budget_ulp)
    if family is not None:
        check_choice("family", family, tuple(DEVICES))
    degrees = range(1, MAX_DEGREE + 1) if degree is None else \
        [check_int("degree", degree, 1, MAX_DEGREE)]
    n, _ = domain_bits(prob)
    if segments is None:
        plans = _plans(prob, U, degrees, family)
    else:
        segments = check_int("segments", segments, 1, 1 << (n - 2))
        if segments & (segments - 1):
            raise ValueError("segments must be a power of two, not {}".format(segments))
        fits = {}
        plans = [p for d in degrees
                 for p in [_at(prob, U, d, segments.bit_length() - 1, family, fits)] if p]
    if not plans:
        raise ValueError("no piecewise plan of degree {}{} is within {} ulp for {}".format(
            "1 .. 3" if degree is None else degree,
            "" if segments is None else " on {} segments".format(segments), U,
            prob.spec.describe()))
    return min(plans, key=lambda p: p.cost(family))


def piecewise_budget_options(function, input_format, output_bits, accuracy, family=None):
    """The piecewise plans within ``accuracy`` ulp worth weighing (``sigmoid-hw generate``), as
    option dicts of the registry's ``piecewise`` design (``rounding``, ``budget_ulp``,
    ``degree``, ``segments``): each degree and segment count that meets it on the function's
    first exact fold; none for ``"faithful"``, ``"correct"`` or fewer than 1 ulp."""
    if isinstance(accuracy, str) or accuracy < 1:
        return []
    U = check_budget(accuracy)
    spec = FunctionSpec.make(function, input_format, output_bits, "faithful")
    prob = problem(spec, exact_folds(spec)[0])
    return [dict(rounding="faithful", budget_ulp=U, degree=p.degree, segments=p.segments)
            for p in _plans(prob, U, range(1, MAX_DEGREE + 1), family)]


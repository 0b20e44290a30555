"""Correctly rounded piecewise polynomials on narrow multipliers: ``derive_piecewise_operand``.

``sigmoid_hw.model.methods.piecewise`` makes a plan correctly rounded with guard
bits: rounding terms of ``2^-g`` until at most ``MAX_CORRECTIONS`` points round
the wrong way, each then fixed by the frame (a comparator on the input). The
16-bit sigmoid's plan then multiplies a 19-bit ``acc_1``: two SB_MAC16, or three
passes through one. Here every product's accumulator operand is held to
``operand_bits`` signed bits (a DSP block's port: 16 on the iCE40 UP5K) and
correct rounding comes from the coefficients instead:

1. at a degree and ``2^k`` segments, ``F = choose_lsbs(degree, 2^-g)`` (``g`` from
   ``_G_FIRST`` up), each ``F_j`` (``j >= 1``) lowered until ``acc_j`` fits
   ``operand_bits`` (a coarser ``C_j``, more points near a rounding boundary
   land on the wrong side);
2. **the coefficient search**: per segment, ``C_1 .. C_d`` are moved by at most
   ``SEARCH_STEP`` units each (nearest first) and, for each such choice, the
   values of ``C_0`` that round *every* point of the segment correctly form an
   interval, exactly: ``y = floor((C_0 + P) / 2^F_0) = R`` iff
   ``R 2^F_0 - P <= C_0 <= (R + 1) 2^F_0 - 1 - P`` (``P`` the point's product
   term, integers). The first choice whose interval is not empty is kept, with
   the ``C_0`` in it nearest the rounded fit. A segment with none keeps its
   coefficients and its wrong points become the frame's corrections.
3. ``g`` grows until no correction is left (or ``_G_LAST``); the plans with at
   most ``MAX_CORRECTIONS`` corrections are weighed by ``PiecewisePlan.cost``.

The proof is the plans' own: ``find_corrections`` compares ``y_h`` with the
certified ``R`` on every domain point (``spec.problem``), so the unit is correctly
rounded on every input whatever the search chose. The error bound
(``SearchedPlan.error_terms``) adds the search's moves, ``max_s sum_j |C_j -
C_j'| 2^-F_j 2^-j`` (``|z| <= 1/2``), to the plan's terms; ``derive`` checks the
measured error against it.
"""

import dataclasses
import itertools

import numpy as np

from sigmoid_hw.model.exact.function import Rounding
from sigmoid_hw.model.methods.devices import DEVICES
from sigmoid_hw.model.methods.piecewise import (
    PiecewisePlan, MAX_DEGREE, MAX_CORRECTIONS, _approximation, _plan, _smallest_k,
    evaluate_piecewise)
from sigmoid_hw.model.methods.polyfit import choose_lsbs, split, horner_wide
from sigmoid_hw.model.methods.spec import Problem, find_corrections, domain_bits
from sigmoid_hw.model.validate import check_choice, check_instance, check_int

__all__ = ["SearchedPlan", "derive_piecewise_operand", "search_coefficients", "SEARCH_STEP"]

SEARCH_STEP = {1: 8, 2: 6, 3: 2}    # per degree: the largest move of C_1 .. C_d, in units
_G_FIRST, _G_LAST = 4, 16           # rounding terms 2^-g tried
_FIT_LIMIT = 2.0 ** -5              # k from the smallest whose fit errs at most this
_CACHE = {}


@dataclasses.dataclass(frozen=True, eq=False)
class SearchedPlan(PiecewisePlan):
    """A ``PiecewisePlan`` whose coefficients the search moved (module docstring):
    ``search_error`` bounds what the moves add to the error (output ulp)."""
    search_error: float = 0.0
    operand_bits: int = 0

    @property
    def error_terms(self):
        return dict(super().error_terms, **{"coefficient search": self.search_error})


def _product_terms(coefficients, seg, t, shifts):
    """``P``: what the Horner scheme adds to ``C_0`` at each point (``acc_0 - C_0``)."""
    degree = len(coefficients) - 1
    acc = coefficients[degree][seg]
    for j in range(degree - 1, -1, -1):
        prod = acc * t
        step = prod >> shifts[j] if shifts[j] >= 0 else prod << -shifts[j]
        if j == 0:
            return step
        acc = coefficients[j][seg] + step
    return np.zeros(t.shape, dtype=np.int64)


def search_coefficients(plan, step=None):
    """``plan`` (correct rounding) with each segment's coefficients moved so that every point
    rounds correctly where a move of at most ``step`` units per ``C_j`` (``j >= 1``) does
    (module docstring); a ``SearchedPlan``, its remaining wrong points as corrections."""
    check_instance("plan", plan, PiecewisePlan, "a PiecewisePlan")
    prob, d, F = plan.problem, plan.degree, plan.frac_bits
    step = SEARCH_STEP[d] if step is None else check_int("step", step, 0, 64)
    if horner_wide(plan.coefficients, plan.t_bits, plan.shifts):
        raise ValueError("the coefficient search needs a plan evaluated in int64, not {}"
                         .format(plan.describe()))
    seg, t = split(plan.segment_bits, plan.domain_bits, prob.points - prob.lo)
    starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
    base = [np.asarray(c, dtype=np.int64) for c in plan.coefficients]
    r = np.asarray(prob.rounded, dtype=np.int64)
    S = plan.segments
    done = np.zeros(S, dtype=bool)
    new = [c.copy() for c in base]
    moved = np.zeros(S)
    moves = sorted(itertools.product(range(-step, step + 1), repeat=d),
                   key=lambda v: (sum(map(abs, v)), v))
    for move in moves:
        coeffs = [base[0]] + [base[j] + move[j - 1] for j in range(1, d + 1)]
        p = _product_terms(coeffs, seg, t, plan.shifts)
        lo = np.maximum.reduceat((r << F[0]) - p, starts)
        hi = np.minimum.reduceat(((r + 1) << F[0]) - 1 - p, starts)
        hit = (lo <= hi) & ~done
        if not hit.any():
            continue
        c0 = np.clip(base[0], lo, hi)
        new[0] = np.where(hit, c0, new[0])
        for j in range(1, d + 1):
            new[j] = np.where(hit, coeffs[j], new[j])
        moved = np.where(hit, np.abs(c0 - base[0]) * 2.0 ** -F[0] + sum(
            abs(move[j - 1]) * 2.0 ** -(F[j] + j) for j in range(1, d + 1)), moved)
        done |= hit
        if done.all():
            break
    out = SearchedPlan(prob, d, plan.segment_bits, plan.domain_bits, plan.extra, F,
                       tuple(tuple(int(v) for v in c) for c in new), plan.approximation, 0.0,
                       (), plan.family, float(moved.max()))
    y = evaluate_piecewise(out, prob.points)
    out = dataclasses.replace(out, max_error=float(np.abs(prob.error_ulp(y)).max()),
                              corrections=find_corrections(prob, y))
    if out.max_error > out.error_bound:
        raise ArithmeticError("searched piecewise plan {} errs {} ulp, above its bound {}"
                              .format(out.describe(), out.max_error, out.error_bound))
    return out


def _narrow(prob, degree, k, n, extra, fit, F, family, operand_bits):
    """The plan at ``F`` with each ``F_j`` (j >= 1) lowered until ``acc_j`` fits
    ``operand_bits``, or None."""
    for _ in range(8):
        plan = _plan(prob, degree, k, n, extra, fit, F, family)
        over = [max(0, b - operand_bits) for b in plan.acc_bits]
        if not any(over[1:]):
            return plan
        F = tuple(f - (over[j] if j else 0) for j, f in enumerate(F))
    return None


def _at(prob, degree, k, operand_bits, family, fits):
    """The searched plans of ``degree`` on ``2^k`` segments (module docstring, steps 1 to 3)."""
    key = (prob.spec.describe(), str(prob.spec.input_format), prob.fold.name, degree, k,
           operand_bits, family)
    if key in _CACHE:
        return _CACHE[key]
    n, extra = domain_bits(prob)
    fit = _approximation(prob, degree, k, n, fits)
    t_bits = n - k + extra
    plans = []
    for g in range(_G_FIRST, _G_LAST + 1):
        plan = _narrow(prob, degree, k, n, extra, fit, choose_lsbs(degree, 2.0 ** -g, t_bits),
                       family, operand_bits)
        if plan is None or plan.t_bits > operand_bits:
            break
        plan = dataclasses.replace(search_coefficients(plan), operand_bits=operand_bits)
        if max(plan.acc_bits[1:]) > operand_bits:
            continue
        if len(plan.corrections) <= MAX_CORRECTIONS:
            plans.append(plan)
        if not plan.corrections:
            break
    if len(_CACHE) >= 256:
        _CACHE.clear()
    _CACHE[key] = plans
    return plans


def derive_piecewise_operand(prob, operand_bits, degree=None, segments=None, family=None):
    """The cheapest correctly rounded ``SearchedPlan`` of ``prob`` whose products'
    accumulator operands fit ``operand_bits`` signed bits (module docstring); ``degree``,
    ``segments`` and ``family`` as ``derive_piecewise``."""
    check_instance("problem", prob, Problem, "a Problem from sigmoid_hw.model.methods.spec")
    operand_bits = check_int("operand_bits", operand_bits, 4, 64)
    if prob.spec.rounding is not Rounding.CORRECT:
        raise ValueError("operand_bits is for correct rounding (the coefficient search), not "
                         "{!r}".format(str(prob.spec.rounding)))
    if family is not None:
        check_choice("family", family, tuple(DEVICES))
    degrees = range(1, MAX_DEGREE + 1) if degree is None else \
        [check_int("degree", degree, 1, MAX_DEGREE)]
    n, _ = domain_bits(prob)
    fits, plans = {}, []
    for d in degrees:
        if segments is not None:
            segments = check_int("segments", segments, 1, 1 << (n - 2))
            if segments & (segments - 1):
                raise ValueError("segments must be a power of two, not {}".format(segments))
            ks = [segments.bit_length() - 1]
        else:
            k0 = _smallest_k(prob, d, n, _FIT_LIMIT, fits)
            ks = [] if k0 is None else range(max(k0 - 1, 0), min(k0 + 1, n - 2) + 1)
        for k in ks:
            plans += _at(prob, d, k, operand_bits, family, fits)
    if not plans:
        raise ValueError("no correctly rounded piecewise plan of degree {}{} has products of "
                         "{}-bit operands for {}".format(
                             "1 .. 3" if degree is None else degree,
                             "" if segments is None else " on {} segments".format(segments),
                             operand_bits, prob.spec.describe()))
    return min(plans, key=lambda p: (p.cost(family), len(p.corrections)))

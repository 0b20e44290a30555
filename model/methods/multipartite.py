"""``MultipartiteTable``'s plan and model: de Dinechin and Tisserand's multipartite method.

"Multipartite table methods" (IEEE TC 54(3), 2005; FloPoCo's
``FixFunctionByMultipartiteTable``), on the folded problem of
``model.methods.spec``: ``h`` on the domain ``a = lo .. hi``, ``u = a - lo``
read as ``n`` bits (a folded domain ``0 .. 2^n`` clamps its one point past
the top, ``a = 2^n``, to ``2^n - 1``; the ``method`` term below covers it)::

    u = [   A (alpha bits)   |  B_(m-1)  | ... |  B_1  |  B_0  ]     B_i: beta_i bits at p_i
          [ C_i: the top gamma_i bits of A ]

    H(u) = h 2^f_out  ~  TIV(A) + sum_i s_i(C_i) (B_i - (2^beta_i - 1)/2) 2^p_i

* the table of initial values ``TIV(A)`` is the mean of ``H`` at the two
  ends of ``A``'s block;
* offset table ``i`` holds the slope ``s_i(C_i)`` (the mean of the chord
  slopes over ``B_i``'s span at both ends of ``C_i``'s interval, as in the
  paper) times ``B_i``'s distance from its middle. That is odd about the
  middle, so only the upper half is stored, ``2^(gamma_i + beta_i - 1)``
  words addressed by ``C_i`` and ``B_i``'s low bits, XORed with ``B_i``'s
  top bit ``b``: the table gives ``v`` for ``b = 1`` and ``~v = -v - 1`` for
  ``b = 0`` (the paper's sign trick, one XOR per bit, no negation);
* entries are in units of ``2^-g`` ulp (``g`` guard bits): an offset entry is
  ``floor(t)`` of its real value ``t``, so both halves are off by
  ``-1/2 +- 1/2``; the TIV, rounded to nearest, adds back ``m/2`` and the
  ``2^(g-1)`` of the final rounding;
* ``y_h = (TIV + sum of the m offsets) >> g``: an adder tree, one
  truncation, no multiplier.

Error bound, in output ulp (``error_terms``)::

    method          max |H - (real TIV + real offsets)|   on every domain point
    tiv rounding    2^-(g+1)
    offset rounding m 2^-(g+1)
    final rounding  1/2

The paper's per-table estimates (eq. 5, its second-order form where
``C_i`` reaches ``B_i``) rank the splits; the few best are then measured on
every point (the ``method`` term is that maximum, not an estimate: the domain
is finite), given the fewest guard bits that keep the bound below the target
(``< 1`` for faithful) and built; the one with the fewest table bits wins.
``evaluate_multipartite`` is the integer datapath; its result is also
checked against ``R`` on every point (faithful, and monotonic where the
function is: a split that breaks monotonicity is passed over).

Correct rounding: splits are derived for bounds ``1/2 .. 1/16``; on each,
the points where ``y_h != R`` get a correction ``(a, R - y_h)``
(``find_corrections``), and the plan with the fewest table bits plus
``CORRECTION_BITS`` per correction is kept.
"""

from dataclasses import dataclass
from fractions import Fraction
import functools
import itertools
import math

import numpy as np

from model.exact.function import Rounding
from model.methods.spec import (FunctionSpec, Problem, apply_corrections, find_corrections,
                                problem as make_problem)
from model.validate import check_instance, check_int

__all__ = ["MultipartiteSplit", "MultipartitePlan", "derive_multipartite",
           "evaluate_multipartite", "multipartite_sum", "multipartite_plan", "MAX_TABLES",
           "MAX_GUARD_BITS", "CORRECTION_BITS"]

MAX_TABLES = 3
MAX_GUARD_BITS = 12
CORRECTION_BITS = 128       # a correction's matcher (about 7 LUT4s), counted as table bits
_MAX_NUDGE = 16             # guard units a TIV word may move (``_finish``)
_EXTRA_GUARD = 1            # guard bits tried beyond the fewest the bound needs
_MEASURED = 16              # splits measured on every point, best estimated first
_PER_SHAPE = 3              # gamma choices kept per (alpha, betas)
_SLACK = 1e-9               # float64 rounding of the measured method error
_CORRECT_TARGETS = (Fraction(1, 2), Fraction(1, 4), Fraction(1, 8), Fraction(1, 16))


@dataclass(frozen=True)
class MultipartiteSplit:
    """How the domain's ``n`` bits are cut (module docstring).

    Members
    -------
    alpha : int
        Bits of ``A``, the TIV's address.
    betas : tuple of int
        ``beta_i``, the offset fields from the least significant (``p_0 = 0``);
        ``alpha + sum(betas) = n``.
    gammas : tuple of int
        ``gamma_i <= alpha``: the top bits of ``A`` offset table ``i`` reads.
    guard_bits : int
        ``g``: the tables' bits below the output's ulp.
    """
    alpha: int
    betas: tuple
    gammas: tuple
    guard_bits: int

    @property
    def tables(self):
        return len(self.betas)

    @property
    def positions(self):
        """``p_i``: the lowest bit of each offset field."""
        return tuple(sum(self.betas[:i]) for i in range(len(self.betas)))

    def describe(self):
        return "alpha={} betas={} gammas={} g={}".format(
            self.alpha, tuple(self.betas), tuple(self.gammas), self.guard_bits)


def _int_shape(lo, hi):
    """``(width, signed)`` of a register holding ``lo .. hi``."""
    if lo >= 0:
        return max(1, int(hi).bit_length()), False
    return max(int(hi).bit_length(), int(-lo - 1).bit_length()) + 1, True


@dataclass(frozen=True, eq=False)
class MultipartitePlan:
    """A multipartite unit's tables and bound (module docstring).

    Members
    -------
    problem : Problem
    split : MultipartiteSplit
    tiv : tuple of int
        ``2^alpha`` words, guard units, the offsets' ``m/2`` and the final
        rounding's ``2^(g-1)`` included.
    offsets : tuple of tuple of int
        Table ``i``: ``2^(gamma_i + beta_i - 1)`` words ``v`` at
        ``(C_i << (beta_i - 1)) | B_i'``.
    terms : tuple of (str, float)
        The error bound's named terms in output ulp (``error_terms``).
    max_error : float
        ``max |y_h - H|`` over the domain before corrections (measured).
    corrections : tuple of (int, int)
        ``(a, R - y_h)`` where ``y_h != R`` (correct rounding only).
    """
    problem: Problem
    split: MultipartiteSplit
    tiv: tuple
    offsets: tuple
    terms: tuple
    max_error: float
    corrections: tuple = ()

    @property
    def tables(self):
        """``m``, the number of offset tables."""
        return self.split.tables

    @property
    def input_bits(self):
        """``n``: bits of ``u = a - lo`` (the clamped domain)."""
        return _domain_bits(self.problem)

    @property
    def error_terms(self):
        return dict(self.terms)

    @property
    def error_bound(self):
        return sum(v for _, v in self.terms)

    @property
    def tiv_shape(self):
        return _int_shape(min(self.tiv), max(self.tiv))

    @property
    def offset_shapes(self):
        """``(width, signed)`` of each offset table's stored words."""
        return tuple(_int_shape(min(t), max(t)) for t in self.offsets)

    @property
    def table_bits(self):
        bits = len(self.tiv) * self.tiv_shape[0]
        return bits + sum(len(t) * w for t, (w, _) in zip(self.offsets, self.offset_shapes))

    @property
    def sum_range(self):
        """``(lo, hi)`` the adder tree's sum can reach (both halves of every offset table)."""
        lo, hi = min(self.tiv), max(self.tiv)
        for t in self.offsets:
            lo += min(min(t), -max(t) - 1)
            hi += max(max(t), -min(t) - 1)
        return lo, hi

    def describe(self):
        widths = " + ".join("{}x{}".format(len(t), w) for t, (w, _)
                            in zip((self.tiv,) + self.offsets,
                                   (self.tiv_shape,) + self.offset_shapes))
        return "{}: {}, {} = {} table bits, bound {:.4f} ulp, max {:.4f} ulp, {} corrections" \
            .format(self.problem.spec.describe(), self.split.describe(), widths,
                    self.table_bits, self.error_bound, self.max_error, len(self.corrections))


def _domain_bits(problem):
    """``n``: the bits of ``hi - lo``, less one where that is a power of two (the clamped point)."""
    span = problem.hi - problem.lo
    power_of_two = span & (span - 1) == 0
    return max(1, span.bit_length() - power_of_two)


def _fields(u, split, n):
    """``A`` and, per offset table, ``(C_i, B_i)`` of ``u`` (numpy int64)."""
    beta = n - split.alpha
    out = []
    for p, b, c in zip(split.positions, split.betas, split.gammas):
        out.append((u >> (n - c), (u >> p) & ((1 << b) - 1)))
    return u >> beta, out


def _clamped(problem, n, a):
    return np.minimum(np.asarray(a, dtype=np.int64) - problem.lo, (1 << n) - 1)


def multipartite_sum(plan, a):
    """The adder tree's sum at domain points ``a`` (numpy int64), before the final shift."""
    n = plan.input_bits
    a = np.asarray(a, dtype=np.int64)
    if a.size and (a.min() < plan.problem.lo or a.max() > plan.problem.hi):
        raise ValueError("a must lie in the domain {} .. {}, not {} .. {}".format(
            plan.problem.lo, plan.problem.hi, a.min(), a.max()))
    A, fields = _fields(_clamped(plan.problem, n, a), plan.split, n)
    total = np.asarray(plan.tiv, dtype=np.int64)[A]
    for table, b, (c, field) in zip(plan.offsets, plan.split.betas, fields):
        top = field >> (b - 1)
        low = field & ((1 << (b - 1)) - 1)
        index = (c << (b - 1)) | np.where(top == 1, low, ~low & ((1 << (b - 1)) - 1))
        v = np.asarray(table, dtype=np.int64)[index]
        total = total + np.where(top == 1, v, -v - 1)
    return total


def evaluate_multipartite(plan, a, corrected=False):
    """``y_h`` at domain points ``a`` (numpy int64): what the RTL's core computes.

    The plan's corrections are the frame's (``hw.methods.folded``): they are
    added by ``model.methods.spec.unit_model``, or here with ``corrected=True``.
    """
    y = multipartite_sum(plan, a) >> plan.split.guard_bits
    return apply_corrections(plan.corrections, a, y) if corrected else y


# ---------------------------------------------------------------------------- derivation

class _Tables:
    """``H`` on the domain and the paper's per-table quantities, computed once per problem."""

    def __init__(self, problem):
        self.problem = problem
        self.n = _domain_bits(problem)
        self.H = problem.exact
        self._slope = {}
        self._block = {}

    def _blocks(self, p, b):
        """Per block of ``B_i`` (every start ``k 2^(p+b)``): its chord's rise and curvature."""
        key = (p, b)
        if key not in self._block:
            n, H = self.n, self.H
            span = ((1 << b) - 1) << p
            starts = np.arange(1 << (n - p - b), dtype=np.int64) << (p + b)
            rise = H[starts + span] - H[starts]
            t = np.arange(1 << b, dtype=np.int64)
            dev = H[starts[:, None] + (t[None, :] << p)] - H[starts][:, None] \
                - rise[:, None] * t[None, :] / ((1 << b) - 1)
            self._block[key] = (rise, (dev.max(axis=1) - dev.min(axis=1)) / 2)
        return self._block[key]

    def slopes(self, p, b, c):
        """``s_i(C)`` for every ``C`` (ulp per step of ``u``), the estimate, size and sign.

        The slope is the midrange of the chord slopes of the blocks in ``C``'s
        interval (the paper's mean of its two ends, where ``h'`` is monotonic
        there); the estimate is half their spread over two (the paper's eq. 5)
        plus the largest block's curvature (its second-order form).
        """
        key = (p, b, c)
        if key not in self._slope:
            rise, curve = self._blocks(p, b)
            rise = rise.reshape(1 << c, -1)
            hi, lo = rise.max(axis=1), rise.min(axis=1)
            span = ((1 << b) - 1) << p
            slope = (hi + lo) / (2 * span)
            eps = float(np.max(hi - lo)) / 4 + float(np.max(curve))
            mag = float(np.max(np.abs(slope))) * (1 << p) * ((1 << (b - 1)) - 0.5)
            mixed = bool(slope.min() < 0 < slope.max())
            self._slope[key] = (slope, eps, mag, mixed)
        return self._slope[key]

    @functools.cached_property
    def tiv_magnitude(self):
        return float(np.max(np.abs(self.H)))

    @functools.cached_property
    def tiv_signed(self):
        return bool(self.H.min() < 0)


def _compositions(total, parts):
    if parts == 1:
        yield (total,)
        return
    for first in range(1, total - parts + 2):
        for rest in _compositions(total - first, parts - 1):
            yield (first,) + rest


def _guard_bits(m, budget):
    """The fewest guard bits with rounding ``(m + 1) 2^-(g+1)`` below ``budget`` (None: none)."""
    budget = np.asarray(budget, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.ceil(np.log2((m + 1) / (2 * budget)))
    g = np.where(budget > 0, np.maximum(g, 0), np.inf)
    # float log2 may be one short at exact powers of two
    g = np.where((m + 1) * 2.0 ** -(np.minimum(g, 60) + 1) < budget, g, g + 1)
    return g


def _estimates(tab, m, target):
    """``(estimated bits, alpha, betas, gammas)`` of the splits the paper's estimate admits."""
    n = tab.n
    out = []
    for alpha in range(1, n - m + 1):
        for betas in _compositions(n - alpha, m):
            ps = [sum(betas[:i]) for i in range(m)]
            eps, bits = [], []
            g_axes = []
            for i, (p, b) in enumerate(zip(ps, betas)):
                info = [tab.slopes(p, b, c) for c in range(alpha + 1)]
                shape = [1] * m
                shape[i] = alpha + 1
                eps.append(np.array([x[1] for x in info]).reshape(shape))
                g_axes.append((np.array([x[2] for x in info]).reshape(shape),
                               np.array([x[3] for x in info]).reshape(shape),
                               (2.0 ** (np.arange(alpha + 1) + b - 1)).reshape(shape)))
            total = sum(eps)
            g = _guard_bits(m, float(target) - _SLACK - total)
            ok = g <= MAX_GUARD_BITS
            if not ok.any():
                continue
            g = np.where(ok, g, 0)
            scale = 2.0 ** g
            w_tiv = np.ceil(np.log2(tab.tiv_magnitude * scale + 2)) + tab.tiv_signed
            cost = (2.0 ** alpha) * w_tiv
            for mag, mixed, depth in g_axes:
                cost = cost + depth * (np.ceil(np.log2(mag * scale + 2)) + mixed)
            cost = np.where(ok, cost, np.inf)
            flat = cost.ravel()
            keep = np.argsort(flat, kind="stable")[:_PER_SHAPE]
            for k in keep:
                if np.isfinite(flat[k]):
                    gammas = np.unravel_index(k, cost.shape)
                    out.append((float(flat[k]), alpha, tuple(betas),
                                tuple(int(c) for c in gammas)))
    out.sort()
    return out


def _block_midrange(n, alpha, values):
    """Per TIV block: the midrange and half the spread of ``values`` (``values[u]``, the top clamped)."""
    main = values[:1 << n].reshape(1 << alpha, -1)
    hi, lo = main.max(axis=1), main.min(axis=1)
    if values.size > 1 << n:
        hi[-1] = max(hi[-1], values[1 << n:].max())
        lo[-1] = min(lo[-1], values[1 << n:].min())
    return (hi + lo) / 2, (hi - lo) / 2


def _real_approximation(tab, alpha, betas, gammas):
    """The slopes, and the method error: ``max |H - approximation|`` on every domain point.

    The approximation is unrounded, its TIV the midrange of ``H`` minus the
    offsets over each block (the paper takes the mean of the block's ends:
    the midrange is never worse, and absorbs the slopes' misfit).
    """
    n, H = tab.n, tab.H
    split = MultipartiteSplit(alpha, tuple(betas), tuple(gammas), 0)
    slopes = [tab.slopes(p, b, c)[0] for p, b, c in zip(split.positions, betas, gammas)]
    u = np.arange(H.size, dtype=np.int64)
    _, fields = _fields(np.minimum(u, (1 << n) - 1), split, n)
    offsets = np.zeros(H.size)
    for s, p, b, (c, field) in zip(slopes, split.positions, betas, fields):
        offsets += s[c] * (field - ((1 << b) - 1) / 2) * (1 << p)
    _, half = _block_midrange(n, alpha, H - offsets)
    return slopes, float(np.max(half))


def _build(problem, tab, split, slopes, method):
    """The integer tables: offsets ``floor(t)``, then each TIV word centres its block.

    The TIV word is the midrange of ``H 2^g`` minus the integer offsets over
    its block, plus ``2^(g-1)``, rounded: within ``method`` plus the offsets'
    rounding (the spread of a sum is at most the sum of the spreads) plus its
    own rounding of every ``H 2^g + 2^(g-1)``.
    """
    g, m = split.guard_bits, split.tables
    scale = float(1 << g)
    offsets = []
    for s, p, b in zip(slopes, split.positions, split.betas):
        half = np.arange(1 << (b - 1), dtype=np.float64) + 0.5
        t = s[:, None] * half[None, :] * float(1 << p) * scale
        offsets.append(tuple(int(v) for v in np.floor(t).astype(np.int64).ravel()))
    terms = (("method", method), ("tiv rounding", 2.0 ** -(g + 1)),
             ("offset rounding", m * 2.0 ** -(g + 1)), ("final rounding", 0.5))
    bare = MultipartitePlan(problem, split, (0,) * (1 << split.alpha), tuple(offsets), terms, 0.0)
    summed = multipartite_sum(bare, problem.points).astype(np.float64)
    mid, _ = _block_midrange(tab.n, split.alpha, tab.H * scale - summed)
    tiv = np.floor(mid + (scale / 2 if g else 0) + 0.5).astype(np.int64)
    return MultipartitePlan(problem, split, tuple(int(v) for v in tiv), tuple(offsets), terms,
                            0.0)


def _faithful(problem, y):
    """Every ``y_h`` is ``R`` or the other neighbour of ``H`` (exact: R is certified)."""
    d = y - problem.rounded
    return bool(np.all((d == 0) | ((d == 1) & (problem.frac > 0)) |
                       ((d == -1) & (problem.frac < 0))))


def _monotonic_fixes(problem, y):
    """``y`` moved to ``R`` at the fewest points this greedy finds that make it monotonic.

    A faithful ``y`` of a monotonic ``h`` can step back by one where two
    neighbours share an integer interval; ``R`` is monotonic, so moving the
    point of such a pair that is not ``R`` to ``R`` removes the step (and may
    expose one beside it: repeated until none is left).
    """
    r = problem.rounded
    sign = 1 if r[-1] >= r[0] else -1
    y = y.copy()
    while True:
        bad = np.flatnonzero(sign * np.diff(y) < 0)
        if bad.size == 0:
            return y
        left_wrong = y[bad] != r[bad]
        y[bad[left_wrong]] = r[bad[left_wrong]]
        right = bad[~left_wrong] + 1
        y[right] = r[right]


def _rounding_nudges(problem, S, g, A, blocks, D):
    """Per block, the shift of its TIV word in ``-D .. D`` with the fewest ``y_h != R``."""
    shifts = sorted(range(-D, D + 1), key=abs)
    wrong = np.array([np.bincount(A, weights=((S + d) >> g) != problem.rounded,
                                  minlength=blocks) for d in shifts])
    return np.asarray(shifts, dtype=np.int64)[np.argmin(wrong, axis=0)]


def _monotonic_nudges(problem, S, g, starts, D):
    """Per block, left to right, the shift in ``-D .. D`` that leaves the fewest steps back."""
    r = problem.rounded
    sign = 1 if r[-1] >= r[0] else -1
    y = S >> g
    nudge = np.zeros(len(starts) - 1, dtype=np.int64)
    back = np.flatnonzero(sign * np.diff(y) < 0)
    todo = np.union1d(np.searchsorted(starts, back, side="right") - 1,
                      np.searchsorted(starts, back + 1, side="right") - 1)
    shifts = np.asarray(sorted(range(-D, D + 1), key=abs), dtype=np.int64)
    for block in todo:
        lo, hi = starts[block], starts[block + 1]
        tried = (S[lo:hi][None, :] + shifts[:, None]) >> g
        steps = np.count_nonzero(sign * np.diff(tried, axis=1) < 0, axis=1)
        if lo > 0:
            steps += sign * (tried[:, 0] - y[lo - 1]) < 0
        if hi < y.size:
            steps += sign * (y[hi] - tried[:, -1]) < 0
        best = int(np.argmin(steps))
        nudge[block] = shifts[best]
        y[lo:hi] = tried[best]
    return nudge


def _finish(plan, correct):
    """``plan`` nudged and corrected: ``y_h = R`` everywhere (correct), monotonic (faithful).

    The bound leaves room below 1/2 ulp before the final rounding; a TIV
    word may move by up to ``_MAX_NUDGE`` guard units inside it (the
    ``tiv nudge`` term) where that lets more of its block round to ``R``
    (correct) or removes a step back (faithful, monotonic ``h``: the
    offsets' sawtooth where ``h`` is flat). What is left becomes
    corrections: every ``y_h != R`` (correct), or the fewest points moved
    to ``R`` that make ``y_h`` monotonic (``_monotonic_fixes``).
    """
    problem, split = plan.problem, plan.split
    g, n = split.guard_bits, plan.input_bits
    S = multipartite_sum(plan, problem.points)
    A = _clamped(problem, n, problem.points) >> (n - split.alpha)
    blocks = 1 << split.alpha
    room = 1 - _SLACK - plan.error_bound
    D = min(_MAX_NUDGE, max(0, int(np.floor(room * 2 ** g))))
    monotonic = problem.spec.function.monotonic
    nudge = np.zeros(blocks, dtype=np.int64)
    if D and correct:
        nudge = _rounding_nudges(problem, S, g, A, blocks, D)
    elif D and monotonic:
        starts = np.append(np.arange(blocks, dtype=np.int64) << (n - split.alpha), S.size)
        nudge = _monotonic_nudges(problem, S, g, starts, D)
    tiv, terms = plan.tiv, plan.terms
    if nudge.any():
        tiv = tuple(int(t + d) for t, d in zip(tiv, nudge))
        terms = terms + (("tiv nudge", float(np.abs(nudge).max()) * 2.0 ** -g),)
        S = S + nudge[A]
    y = S >> g
    if not _faithful(problem, y):
        raise RuntimeError("{}: {} breaks its own bound".format(
            problem.spec.describe(), split.describe()))
    if correct:
        fixed = problem.rounded
    elif monotonic:
        fixed = _monotonic_fixes(problem, y)
    else:
        fixed = y
    wrong = np.flatnonzero(fixed != y)
    corrections = tuple((int(problem.lo + k), int(fixed[k] - y[k])) for k in wrong)
    return MultipartitePlan(problem, split, tiv, plan.offsets, terms,
                            float(np.max(np.abs(problem.error_ulp(y)))), corrections)


def _cost(plan):
    return plan.table_bits + CORRECTION_BITS * len(plan.corrections)


def _search(problem, tab, table_counts, target, correct):
    """The plan of least ``_cost`` whose bound is below ``target``, or None."""
    candidates = []
    for m in table_counts:
        candidates += [(c, m) for c in _estimates(tab, m, target)]
    candidates.sort(key=lambda x: x[0][0])
    best = None
    for (est, alpha, betas, gammas), m in candidates[:_MEASURED]:
        slopes, method = _real_approximation(tab, alpha, betas, gammas)
        g = _guard_bits(m, float(target) - _SLACK - method)
        if not g <= MAX_GUARD_BITS:
            continue
        # more guard bits shrink the offsets' sawtooth (a step back of up to m guard
        # units where h is flat): fewer corrections may pay for them
        for extra in range(_EXTRA_GUARD + 1):
            split = MultipartiteSplit(alpha, betas, gammas, min(int(g) + extra, MAX_GUARD_BITS))
            plan = _finish(_build(problem, tab, split, slopes, method), correct)
            if best is None or _cost(plan) < _cost(best):
                best = plan
            if not plan.corrections:
                break
    return best


def _check_split(split, n, tables):
    check_instance("split", split, MultipartiteSplit, "a MultipartiteSplit")
    alpha = check_int("split.alpha", split.alpha, 1, n - 1)
    if not isinstance(split.betas, tuple) or not split.betas:
        raise TypeError("split.betas must be a non-empty tuple of integers, not {!r}"
                        .format(split.betas))
    for b in split.betas:
        check_int("split.betas", b, 1, n)
    if sum(split.betas) != n - alpha:
        raise ValueError("split.betas must add up to n - alpha = {}, not {!r}".format(
            n - alpha, split.betas))
    if not isinstance(split.gammas, tuple) or len(split.gammas) != len(split.betas):
        raise TypeError("split.gammas must be a tuple of {} integers, not {!r}".format(
            len(split.betas), split.gammas))
    for c in split.gammas:
        check_int("split.gammas", c, 0, alpha)
    check_int("split.guard_bits", split.guard_bits, 0, MAX_GUARD_BITS)
    if tables is not None and tables != len(split.betas):
        raise ValueError("tables={} but split has {} offset tables".format(
            tables, len(split.betas)))


def derive_multipartite(problem, tables=None, split=None):
    """The ``MultipartitePlan`` for ``problem`` (module docstring).

    Parameters
    ----------
    problem : Problem
    tables : int or None
        Offset tables ``m`` (1: bipartite .. ``MAX_TABLES``); None tries each.
    split : MultipartiteSplit or None
        Force a split (its bound is reported, not required below 1).

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or range.
    ValueError
        No split of at most ``MAX_GUARD_BITS`` guard bits is faithful (names the spec).
    """
    check_instance("problem", problem, Problem, "a Problem from model.methods.spec.problem")
    if tables is not None:
        tables = check_int("tables", tables, 1, MAX_TABLES)
    tab = _Tables(problem)
    if tab.n < 2:
        raise ValueError("{} has a domain of {} bits: too small for a multipartite table"
                         .format(problem.spec.describe(), tab.n))
    correct = problem.spec.rounding is Rounding.CORRECT
    if split is not None:
        _check_split(split, tab.n, tables)
        slopes, method = _real_approximation(tab, split.alpha, split.betas, split.gammas)
        return _finish(_build(problem, tab, split, slopes, method), correct)
    counts = (tables,) if tables is not None else tuple(range(1, min(MAX_TABLES, tab.n - 1) + 1))
    plans = [_search(problem, tab, counts, target, correct)
             for target in (_CORRECT_TARGETS if correct else _CORRECT_TARGETS[:1])]
    plans = [p for p in plans if p is not None]
    if not plans:
        raise ValueError("{}: no faithful multipartite split with at most {} guard bits"
                         .format(problem.spec.describe(), MAX_GUARD_BITS))
    return min(plans, key=_cost)


def multipartite_plan(function, input_format=None, output_bits=16, rounding="faithful",
                      tables=None, fold=None):
    """The ``MultipartitePlan`` of a function on the first fold its record lists that is exact.

    The record lists its folds cheapest first (the smallest ``h``);
    ``fold`` (a name from ``Function.folds``) forces one; ``tables`` as
    ``derive_multipartite``.
    """
    spec = FunctionSpec.make(function, input_format, output_bits, rounding)
    folds = spec.function.folds_for(spec.input_format, spec.output_format)
    if fold is None:
        folds = folds[:1]
    else:
        names = [f.name for f in folds]
        if fold not in names:
            raise ValueError("fold must be one of {} for {}, not {!r}".format(
                ", ".join(repr(n) for n in names), spec.describe(), fold))
        folds = [f for f in folds if f.name == fold]
    plans, errors = [], []
    for f in folds:
        try:
            plans.append(derive_multipartite(make_problem(spec, f), tables))
        except ValueError as error:
            errors.append(str(error))
    if not plans:
        raise ValueError("; ".join(errors))
    return min(plans, key=_cost)

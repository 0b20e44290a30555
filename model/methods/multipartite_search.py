"""How ``derive_multipartite`` finds a split: estimates, measurement, tables, nudges, corrections.

See ``sigmoid_hw.model.methods.multipartite`` for the method. ``ProblemTables`` holds
``H`` and the paper's per-table quantities of one problem; ``search_plan``
ranks the splits of ``m`` offset tables by the paper's estimates, measures
the best ``MEASURED`` on every point, builds and finishes them
(``finish_plan``: TIV nudges and corrections) and keeps the cheapest
(``plan_cost``); ``build_plan`` builds one given split.
"""

import functools

import numpy as np

from sigmoid_hw.model.methods.multipartite_datapath import (MultipartitePlan, MultipartiteSplit,
                                                 clamp_domain, domain_bits, multipartite_sum,
                                                 split_fields)

__all__ = ["ProblemTables", "search_plan", "build_plan", "finish_plan", "plan_cost",
           "MAX_GUARD_BITS", "CORRECTION_BITS", "MEASURED"]

MAX_GUARD_BITS = 12
CORRECTION_BITS = 128       # a correction's matcher (about 7 LUT4s), counted as table bits
MEASURED = 16               # splits measured on every point, best estimated first
_MAX_NUDGE = 16             # guard units a TIV word may move (``finish_plan``)
_EXTRA_GUARD = 1            # guard bits tried beyond the fewest the bound needs
_PER_SHAPE = 3              # gamma choices kept per (alpha, betas)
_SLACK = 1e-9               # float64 rounding of the measured method error


class ProblemTables:
    """``H`` on the domain and the paper's per-table quantities, computed once per problem."""

    def __init__(self, problem):
        self.problem = problem
        self.n = domain_bits(problem)
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
    """Per TIV block: the midrange and half the spread of ``values[u]`` (the top clamped)."""
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
    _, fields = split_fields(np.minimum(u, (1 << n) - 1), split, n)
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


def finish_plan(plan, correct):
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
    A = clamp_domain(problem, n, problem.points) >> (n - split.alpha)
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


def plan_cost(plan):
    return plan.table_bits + CORRECTION_BITS * len(plan.corrections)


def search_plan(problem, tab, table_counts, target, correct):
    """The plan of least ``plan_cost`` whose bound is below ``target``, or None."""
    candidates = []
    for m in table_counts:
        candidates += [(c, m) for c in _estimates(tab, m, target)]
    candidates.sort(key=lambda x: x[0][0])
    best = None
    for (est, alpha, betas, gammas), m in candidates[:MEASURED]:
        slopes, method = _real_approximation(tab, alpha, betas, gammas)
        g = _guard_bits(m, float(target) - _SLACK - method)
        if not g <= MAX_GUARD_BITS:
            continue
        # more guard bits shrink the offsets' sawtooth (a step back of up to m guard
        # units where h is flat): fewer corrections may pay for them
        for extra in range(_EXTRA_GUARD + 1):
            split = MultipartiteSplit(alpha, betas, gammas, min(int(g) + extra, MAX_GUARD_BITS))
            plan = finish_plan(_build(problem, tab, split, slopes, method), correct)
            if best is None or plan_cost(plan) < plan_cost(best):
                best = plan
            if not plan.corrections:
                break
    return best


def build_plan(problem, tab, split, correct):
    """The finished plan of one given ``split`` (its bound reported, not required below 1)."""
    slopes, method = _real_approximation(tab, split.alpha, split.betas, split.gammas)
    return finish_plan(_build(problem, tab, split, slopes, method), correct)

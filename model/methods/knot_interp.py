"""``KnotInterpolation``'s plan and model: values-only linear interpolation (TFLite's scheme).

On the folded domain of a ``Problem`` (``sigmoid_hw.model.methods.spec``),
``u = a - lo = 0 .. 2^n - 1`` (plus ``u = 2^n``, the most negative input
folded), ``S = 2^k`` uniform knots at ``u = h 2^m`` (``m = n - k``) hold only
rounded values, with ``g`` guard bits and an offset ``c`` (a fraction of an
ulp)::

    K[h] = clamp(round((h(u_h) 2^f_out + c) 2^g), 2^g lo, 2^g hi)

(``lo .. hi``: the correctly rounded values the output's range holds on both
sides of the fold, so the frame saturates nothing). Between two knots, with
``s = u >> m`` and ``t`` the low ``m`` bits of ``u``::

    y_h = floor((K[s] 2^m + (K[s+1] - K[s]) t + 2^(m+g-1)) / 2^(m+g))

one product, ``t`` times the difference. The last segment (``s = 2^k - 1``)
and the extra point are flat, ``y_h = round(K[2^k - 1] / 2^g)``: no knot
``2^k`` is stored, so the ``2^k`` values fill two banks of ``2^(k-1)``
words, the even knots and the odd ones (two 256 x 16 memories, 2 EBR, for
512 knots of 16 bits). Each bank is read once per input: the odd bank at
``j = s >> 1``, the even bank at ``j + (s & 1)`` (``j`` on the last
segment), and, with ``E`` and ``O`` the two values read::

    y_h = floor((E 2^m + (O - E) t' + 2^(m+g-1)) / 2^(m+g)),   t' = t or 2^m - t (s odd)

the same integers as the formula above (for ``s`` odd: ``E = K[s+1]``,
``O = K[s]``); on the last segment ``t = 0``, so ``t' = 2^m`` and ``E``
(``K[s-1]`` there: the difference stays as narrow as the others) drops out.
The rounding constant is in the
stored values (``V = K + 2^(g-1)``; for ``g = 0`` it is the wiring below
``E 2^m``); the bits every ``V`` shares (as two's complement words) are
constants (``high``), ``width`` bits are stored.

``derive_knot_interp`` measures the error on every domain point against the
certified values (``Problem.exact``, float64) for each ``k``, ``g`` and ``c``
it tries and keeps the fewest stored bits that meet the accuracy (an error of
at most ``budget_ulp``, or below 1 ulp for faithful), then the narrowest
difference, then the smallest error. No corrections.
"""

from dataclasses import dataclass
import numbers

import numpy as np

from sigmoid_hw.model.methods.spec import FunctionSpec, Problem, exact_folds, problem, domain_bits
from sigmoid_hw.model.validate import check_instance, check_int

__all__ = ["KnotPlan", "derive_knot_interp", "evaluate_knot_interp", "knot_interp_options",
           "check_accuracy", "fold_builds", "GUARD_BITS", "OFFSETS", "EXTRA_SEGMENT_BITS",
           "MAX_SEARCH_BITS"]

GUARD_BITS = (0, 1, 2, 3)                   # g tried
OFFSETS = tuple(np.round(np.linspace(-0.5, 0.5, 21), 6))     # c tried, ulp
EXTRA_SEGMENT_BITS = 1                      # knot counts tried above the smallest that fits
MAX_SEARCH_BITS = 20                        # generate's options: inputs up to this width


def fold_builds(spec, fold):
    """Whether the unit (``sigmoid_hw.hw.methods.knot_interp``) builds ``fold`` for ``spec``:
    no fold; an even one (the input folded); or an output ``-y_h`` (signed) or ``2^W - y_h``
    (``UQ(0, W)``), a flip of ``y_h - 1``'s bits. Not a mirror, nor a rebuild adding ``a``."""
    if not fold.folded:
        return True
    if fold.mirror or fold.positive != (1, 0, 0):
        return False
    if fold.negative == (1, 0, 0):
        return True
    out = spec.output_format
    k_h, k_a, c = fold.negative
    return k_h == -1 and k_a == 0 and ((out.signed and c == 0) or
                                       (not out.signed and c << out.f_bits == 1 << out.width))


def check_accuracy(accuracy):
    """``"faithful"`` (every error below 1 ulp) or a number of ulp of at least 1."""
    if accuracy == "faithful":
        return accuracy
    if isinstance(accuracy, bool) or not isinstance(accuracy, numbers.Real):
        raise TypeError("budget_ulp must be a number of ulp or 'faithful', not {!r}".format(
            accuracy))
    value = float(accuracy)
    if not value >= 1.0 or value == float("inf"):
        raise ValueError("budget_ulp must be a finite number of ulp of at least 1, not {!r}"
                         .format(accuracy))
    return value


def _meets(error, accuracy):
    return error < 1 if accuracy == "faithful" else error <= accuracy


@dataclass(frozen=True, eq=False)
class KnotPlan:
    """Values-only linear interpolation (module docstring).

    Members
    -------
    problem : Problem
    segment_bits : int
        ``k``: ``2^k`` knots.
    domain_bits : int
        ``n``: ``u`` has ``n`` bits (plus the extra point ``2^n`` if ``extra``).
    extra : bool
    guard_bits : int
        ``g``.
    offset : float
        ``c``, ulp.
    knots : tuple of int
        ``K[0 .. 2^k - 1]``.
    width : int
        Stored bits per bank word: ``V`` is ``stored | high`` as a ``value_bits``-bit two's
        complement word.
    high : int
    max_error : float
        The largest ``|y_h - h 2^f_out|`` over every domain point (ulp).
    value_bits : int
    corrections : tuple
        Always empty.
    """
    problem: Problem
    segment_bits: int
    domain_bits: int
    extra: bool
    guard_bits: int
    offset: float
    knots: tuple
    width: int
    high: int
    max_error: float
    value_bits: int = 0
    corrections: tuple = ()

    segments = property(lambda self: 1 << self.segment_bits)
    offset_bits = property(lambda self: self.domain_bits - self.segment_bits)
    t_bits = property(lambda self: self.offset_bits + 1)      # t' = 1 .. 2^m, unsigned
    bank_depth = property(lambda self: self.segments // 2)
    error_bound = property(lambda self: self.max_error)

    @property
    def values(self):
        """``V[h] = K[h] + 2^(g-1)`` (``K`` for ``g = 0``): what the banks hold."""
        return np.asarray(self.knots, dtype=np.int64) + \
            ((1 << (self.guard_bits - 1)) if self.guard_bits else 0)

    @property
    def banks(self):
        """``(even, odd)``: the stored low ``width`` bits of ``V[2j]`` and ``V[2j + 1]``."""
        low = (1 << self.width) - 1
        v = self.values & low
        return tuple(int(e) for e in v[0::2]), tuple(int(o) for o in v[1::2])

    @property
    def delta_range(self):
        """``(min, max)`` of ``O - E`` over every pair of words read."""
        v = self.values
        s = np.arange(self.segments)
        j = s >> 1
        e = v[2 * np.minimum(j + (s & 1), self.bank_depth - 1)]
        d = v[2 * j + 1] - e
        return int(d.min()), int(d.max())

    @property
    def delta_bits(self):
        lo, hi = self.delta_range
        return max(int(lo).bit_length(), int(hi).bit_length()) + 1     # signed

    @property
    def rise_range(self):
        """``(min, max)`` of ``K[s+1] - K[s]`` over every segment but the flat last one."""
        d = np.diff(self.values[:-1]) if self.segments > 2 else np.zeros(1, dtype=np.int64)
        return int(d.min()), int(d.max())

    @property
    def rise_bits(self):
        """Unsigned bits of ``K[s+1] - K[s]`` (``rise_range`` never negative: knots that do
        not decrease), for the unit's unsigned product; None for knots that decrease."""
        lo, hi = self.rise_range
        return None if lo < 0 else max(1, int(hi).bit_length())

    @property
    def bits(self):
        """Stored bits, both banks."""
        return self.segments * self.width

    def describe(self):
        return "{} knots, {} guard bits, offset {:+.2f} ulp, {} x {} bits, {:.4f} ulp".format(
            self.segments, self.guard_bits, self.offset, self.segments, self.width,
            self.max_error)


def _interpolate(values, k, m, g, u):
    """``y_h`` at ``u`` from the bank values ``values`` (``V``, with ``high``): the two reads,
    ``t'`` and the one product, as the gateware computes them (module docstring)."""
    u = np.asarray(u, dtype=np.int64)
    last = (u >> m) >= (1 << k) - 1
    s = np.minimum(u >> m, (1 << k) - 1)
    t = np.where(last, 0, u & ((1 << m) - 1))
    odd = s & 1
    j = s >> 1
    e = values[2 * (j + (odd & ~last))]
    o = values[2 * j + 1]
    tt = np.where(odd == 1, (1 << m) - t, t)
    low = (1 << (m - 1)) if g == 0 and m > 0 else 0
    return ((e << m) + low + (o - e) * tt) >> (m + g)


def evaluate_knot_interp(plan, a):
    """``y_h`` for domain points ``a`` (numpy int64), what the gateware's core gives."""
    u = np.asarray(a, dtype=np.int64) - plan.problem.lo
    return _interpolate(plan.values, plan.segment_bits, plan.offset_bits, plan.guard_bits, u)


def _edges(prob):
    """``(lo, hi)``: the ``y_h`` both the correctly rounded values and the output's range on
    every side of the fold hold (no saturation in the frame)."""
    lo, hi = int(prob.rounded.min()), int(prob.rounded.max())
    out_lo, out_hi = prob.spec.function.saturation(prob.spec.output_format)
    one = 1 << prob.spec.output_format.f_bits
    sides = (prob.fold.positive, prob.fold.negative) if prob.fold.folded else \
        (prob.fold.positive,)
    for k_h, k_a, c in sides:
        if k_a or abs(k_h) != 1:
            continue        # a rebuild that depends on the input: the frame saturates it
        ends = sorted(((out_lo - c * one) * k_h, (out_hi - c * one) * k_h))
        lo, hi = max(lo, ends[0]), min(hi, ends[1])
    return lo, hi


def _signed_bits(lo, hi):
    return max(int(lo).bit_length(), int(hi).bit_length()) + 1


def _shape(values):
    """``(width, high, value_bits)``: ``values`` as ``value_bits``-bit two's complement words
    share their bits above ``width`` (``high``, the raw word's bits)."""
    bits = _signed_bits(values.min(), values.max())
    raw = values & ((1 << bits) - 1)
    lo, hi = int(raw.min()), int(raw.max())
    width = max(1, min(bits, (int(np.bitwise_or.reduce(raw ^ lo))).bit_length()))
    return width, lo & ~((1 << width) - 1), bits


def _candidate(prob, n, extra, k, g, c, at_knots, u, exact, edges):
    m = n - k
    K = np.clip(np.round((at_knots + c) * 2.0 ** g), edges[0] << g, edges[1] << g)
    K = K.astype(np.int64)
    values = K + ((1 << (g - 1)) if g else 0)
    shape = _shape(values)
    y = _interpolate(values, k, m, g, u)
    err = float(np.abs(y.astype(np.float64) - exact).max())
    return KnotPlan(prob, k, n, extra, g, float(c), tuple(int(v) for v in K), shape[0],
                    shape[1], err, shape[2])


def _best_at(prob, k, accuracy, n, extra, guard_bits=None, offset=None):
    """The plan on ``2^k`` knots meeting ``accuracy`` with the fewest stored bits, then the
    narrowest difference, the smallest error; or None."""
    u = np.arange(prob.hi - prob.lo + 1, dtype=np.int64)
    exact = prob.exact
    at_knots = exact[np.arange(1 << k, dtype=np.int64) << (n - k)]
    edges = _edges(prob)
    best = None
    for g in GUARD_BITS if guard_bits is None else (guard_bits,):
        for c in OFFSETS if offset is None else (offset,):
            plan = _candidate(prob, n, extra, k, g, c, at_knots, u, exact, edges)
            if plan is None or not _meets(plan.max_error, accuracy):
                continue
            key = (plan.bits, plan.delta_bits, plan.max_error)
            if best is None or key < best[0]:
                best = (key, plan)
    return None if best is None else best[1]


def _hopeless(prob, k, limit, n, extra):
    """Whether ``2^k`` knots are too few to try every ``g`` and ``c``: the flat last segment
    spans more than ``2 limit`` ulp, or 3 guard bits and no offset err more than ``limit + 1``
    ulp (a search shortcut, not a proof: a plan kept is measured on every point)."""
    tail = prob.exact[((1 << k) - 1) << (n - k):]       # the flat last segment's values
    if (tail.max() - tail.min()) / 2 > limit:
        return True
    u = np.arange(prob.hi - prob.lo + 1, dtype=np.int64)
    at_knots = prob.exact[np.arange(1 << k, dtype=np.int64) << (n - k)]
    plan = _candidate(prob, n, extra, k, 3, 0.0, at_knots, u, prob.exact, _edges(prob))
    return plan.max_error > limit + 1


def _plans(prob, accuracy, segments=None, guard_bits=None, offset=None):
    n, extra = domain_bits(prob)
    if segments is not None:
        plan = _best_at(prob, segments.bit_length() - 1, accuracy, n, extra, guard_bits, offset)
        return [plan] if plan else []
    out, limit = [], 1.0 if accuracy == "faithful" else accuracy
    for k in range(2, n - 2):       # at least 8 points a segment (fewer: a table is cheaper)
        if not out and _hopeless(prob, k, limit, n, extra):
            continue
        plan = _best_at(prob, k, accuracy, n, extra, guard_bits, offset)
        if plan is not None:
            out.append(plan)
        if out and k >= out[0].segment_bits + EXTRA_SEGMENT_BITS:
            break
    return out


def derive_knot_interp(prob, accuracy, segments=None, guard_bits=None, offset=None):
    """The ``KnotPlan`` of ``prob`` (a ``Problem``) meeting ``accuracy`` (``"faithful"`` or a
    number of ulp >= 1) with the fewest stored bits (module docstring); ``segments`` (a
    power of two, 4 .. 2^(n-1)), ``guard_bits`` and ``offset`` fix those (None: searched)."""
    check_instance("problem", prob, Problem, "a Problem from sigmoid_hw.model.methods.spec")
    accuracy = check_accuracy(accuracy)
    n, _ = domain_bits(prob)
    if segments is not None:
        segments = check_int("segments", segments, 4, 1 << (n - 1))
        if segments & (segments - 1):
            raise ValueError("segments must be a power of two, not {}".format(segments))
    if guard_bits is not None:
        guard_bits = check_int("guard_bits", guard_bits, 0, 8)
    if offset is not None:
        if isinstance(offset, bool) or not isinstance(offset, numbers.Real) or \
                not -1 <= offset <= 1:
            raise ValueError("offset must be a number of ulp in -1 .. 1, not {!r}".format(offset))
        offset = float(offset)
    plans = _plans(prob, accuracy, segments, guard_bits, offset)
    if not plans:
        raise ValueError("no knot interpolation{} is within {} for {}".format(
            "" if segments is None else " on {} knots".format(segments),
            "1 ulp (faithful)" if accuracy == "faithful" else "{} ulp".format(accuracy),
            prob.spec.describe()))
    return min(plans, key=lambda p: (p.bits, p.delta_bits, p.max_error))


def knot_interp_options(function, input_format, output_bits, accuracy):
    """The knot interpolations worth weighing (``sigmoid-hw generate``), as option dicts of
    the registry's ``knot-interp`` design (``rounding``, ``segments``, ``budget_ulp`` for a
    number of ulp): for ``"faithful"`` or a number of ulp >= 1, each knot count that meets
    it (the smallest and one more) on the first exact fold the unit builds
    (``fold_builds``); none for ``"correct"``, fewer than 1 ulp, or an input wider than
    ``MAX_SEARCH_BITS`` (each plan tried is measured on every point). Knots that do not
    decrease are offered with the unit's unsigned product too (``product="unsigned"``)."""
    if accuracy == "correct" or (not isinstance(accuracy, str) and accuracy < 1) or \
            input_format.width > MAX_SEARCH_BITS:
        return []
    accuracy = check_accuracy(accuracy)
    spec = FunctionSpec.make(function, input_format, output_bits, "faithful")
    folds = [f for f in exact_folds(spec) if fold_builds(spec, f)]
    budget = {} if accuracy == "faithful" else {"budget_ulp": accuracy}
    out = []
    for p in _plans(problem(spec, folds[0]), accuracy):
        out.append(dict(rounding="faithful", segments=p.segments, **budget))
        if p.rise_bits is not None:
            out.append(dict(out[-1], product="unsigned"))
    return out

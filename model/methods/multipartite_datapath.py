"""The multipartite method's records and integer datapath (``sigmoid_hw.model.methods.multipartite``).

``MultipartiteSplit`` says how the domain's bits are cut, ``MultipartitePlan``
holds the tables and the bound's terms, and ``multipartite_sum`` /
``evaluate_multipartite`` are what the RTL's core computes, bit for bit.
"""

from dataclasses import dataclass

import numpy as np

from sigmoid_hw.model.methods.spec import Problem, apply_corrections

__all__ = ["MultipartiteSplit", "MultipartitePlan", "domain_bits", "split_fields",
           "clamp_domain", "multipartite_sum", "evaluate_multipartite"]


@dataclass(frozen=True)
class MultipartiteSplit:
    """How the domain's ``n`` bits are cut (``sigmoid_hw.model.methods.multipartite``).

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
    """A multipartite unit's tables and bound (``sigmoid_hw.model.methods.multipartite``).

    Members
    -------
    problem : Problem
    split : MultipartiteSplit
    tiv : tuple of int
        ``2^alpha`` words in guard units: each block's midrange of ``H 2^g``
        minus the offsets, with the final rounding's ``2^(g-1)`` (and a nudge).
    offsets : tuple of tuple of int
        Table ``i``: ``2^(gamma_i + beta_i - 1)`` words ``v`` at
        ``(C_i << (beta_i - 1)) | B_i'``.
    terms : tuple of (str, float)
        The error bound's named terms in output ulp (``error_terms``).
    max_error : float
        ``max |y_h - H|`` over the domain before corrections (measured).
    corrections : tuple of (int, int)
        ``(a, R - y_h)``: where ``y_h != R`` (correct rounding), or where a
        monotonic function's ``y_h`` would step back (faithful).
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
        return domain_bits(self.problem)

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


def domain_bits(problem):
    """``n``: the bits of ``hi - lo``, one less where that is a power of two (the clamped top)."""
    span = problem.hi - problem.lo
    power_of_two = span & (span - 1) == 0
    return max(1, span.bit_length() - power_of_two)


def split_fields(u, split, n):
    """``A`` and, per offset table, ``(C_i, B_i)`` of ``u`` (numpy int64)."""
    beta = n - split.alpha
    out = []
    for p, b, c in zip(split.positions, split.betas, split.gammas):
        out.append((u >> (n - c), (u >> p) & ((1 << b) - 1)))
    return u >> beta, out


def clamp_domain(problem, n, a):
    """``u = min(a - lo, 2^n - 1)`` at domain points ``a`` (numpy int64)."""
    return np.minimum(np.asarray(a, dtype=np.int64) - problem.lo, (1 << n) - 1)


def multipartite_sum(plan, a):
    """The adder tree's sum at domain points ``a`` (numpy int64), before the final shift."""
    n = plan.input_bits
    a = np.asarray(a, dtype=np.int64)
    if a.size and (a.min() < plan.problem.lo or a.max() > plan.problem.hi):
        raise ValueError("a must lie in the domain {} .. {}, not {} .. {}".format(
            plan.problem.lo, plan.problem.hi, a.min(), a.max()))
    A, fields = split_fields(clamp_domain(plan.problem, n, a), plan.split, n)
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

    The plan's corrections are the frame's (``sigmoid_hw.hw.methods.folded``): they are
    added by ``sigmoid_hw.model.methods.spec.unit_model``, or here with ``corrected=True``.
    """
    y = multipartite_sum(plan, a) >> plan.split.guard_bits
    return apply_corrections(plan.corrections, a, y) if corrected else y

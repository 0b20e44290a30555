"""The plan: every constant and every width the model and the gateware build from (frozen).

``plan_for(params)`` computes, from a ``PipelineParams``, the four parts of
the pipeline and the error bound they meet:

* ``reduction`` (``Reduction``): fold and range reduction, n and d;
* ``coefficients``: ``TableCoefficients`` (per-n constants) or
  ``DerivedCoefficients`` (the recipe of ``sigmoid_hw.model.derived`` and the range of
  every intermediate);
* ``horner`` (``Horner``): the accumulators, shifts and addends;
* ``error_terms`` (ulp, before the final rounding) and their sum
  ``error_bound``; ``stages`` (name, cycles) and ``latency``.

The bound (ulp = 2^-F; h the largest |d|)::

    E = approximation                     Taylor remainder or minimax error
      + sum_{k=1}^{K-1} h^k 2^-(F_k+1)    rounding of each Horner accumulator
      + coefficients                      quantization of c_k (exact per n) and of y0
      + reduction                         (derived) the rounding of C_n
"""

import functools
from dataclasses import dataclass
from fractions import Fraction
import math
import types

from sigmoid_hw.model.approx import approximation_error, segment_coefficients
from sigmoid_hw.model.bitpattern import reference_raw
from sigmoid_hw.model.derived import DerivedRecipe
from sigmoid_hw.model.geometry import geometry
from sigmoid_hw.model.intmath import round_half_up, signed_bits, unsigned_bits
from sigmoid_hw.model.params import PipelineParams

__all__ = ["Plan", "Reduction", "Horner", "TableCoefficients", "DerivedCoefficients",
           "plan_for", "DERIVED_GUARD"]

DERIVED_GUARD = 3     # fraction bits of a derived c_k beyond its accumulator's F_k
_MAX_INT64_BITS = 62


@dataclass(frozen=True)
class Reduction:
    """Fold and range reduction: ``a = min(|x|, a_clamp)``, n by thresholds, ``d = a 2^G - C_n``."""
    a_width: int
    a_clamp: object          # int or None
    thresholds: tuple
    n_max: int
    n_width: int
    c_raw: tuple             # C_n at d_frac fraction bits
    c_width: int
    d_guard: int
    d_frac: int
    d_width: int             # signed
    h: Fraction
    segments: tuple
    corrections: tuple = ()  # (a, delta): correct rounding (sigmoid_hw.model.rounding)


@dataclass(frozen=True)
class TableCoefficients:
    """Per-n constants: ``acc_K = acc_k_const[n]``; addend of stage k is ``addend[k][n]``.

    ``addend[k][n]`` holds the coefficient at the product's scale plus half a
    unit of the result; for k = 0 the bit-pattern y0 is added to it.
    """
    acc_k_const: tuple
    addend: tuple
    kind = "table"


@dataclass(frozen=True)
class DerivedCoefficients:
    """c_k computed from y0 (``recipe``), y0 at the recipe's working precision per n.

    ``ranges[name] = (lo, hi)`` over every n for every intermediate of
    ``recipe.run`` (``t``, ``pow1``.., ``lin1``.., ``lr2``.., ``c1``..);
    ``align[k]`` shifts c_k to the product's scale in the addend.
    """
    recipe: DerivedRecipe
    y0_raw: tuple
    ranges: types.MappingProxyType
    align: tuple
    max_error: Fraction
    kind = "derived"

    def width(self, name):
        """Signed bits of intermediate ``name``."""
        return signed_bits(*self.ranges[name])


@dataclass(frozen=True)
class Horner:
    """``acc_K = c_K``; ``acc_k = (d acc_(k+1) + addend_k) >> shifts[k]``, k = K-1 .. 0."""
    order: int
    acc_frac: tuple          # F_0 .. F_K
    acc_width: tuple         # signed widths of acc_0 .. acc_K
    acc_range: tuple         # (lo, hi) raw of acc_0 .. acc_K
    prod_frac: tuple         # d_frac + F_(k+1), k = 0 .. K-1
    shifts: tuple            # s_k = prod_frac[k] - F_k
    addend_width: tuple      # signed widths of addend_0 .. addend_(K-1)
    y0_frac: int             # fraction bits of y0 in the last addend (= prod_frac[0])
    y0_raw: tuple            # the bit pattern of y0 per n at y0_frac bits
    register_product: bool

    @property
    def stages(self):
        """Register stages: the load, then one (or two) per multiply-add."""
        return 1 + self.order * (2 if self.register_product else 1)


@dataclass(frozen=True)
class Plan:
    """Everything the model and the hardware build from ``PipelineParams``."""
    params: PipelineParams
    reduction: Reduction
    coefficients: object     # TableCoefficients or DerivedCoefficients
    horner: Horner
    error_terms: types.MappingProxyType
    error_bound: Fraction    # ulp, before the final rounding
    stages: tuple            # (name, cycles) in pipeline order
    wide: bool               # needs Python ints (object arrays) in the model

    @property
    def latency(self):
        """Clock cycles from input to output when never stalled."""
        return sum(cycles for _, cycles in self.stages)


def _reduction(p):
    geo = geometry(p.input_format, p.output_bits, p.d_guard)
    f = p.input_format.f_bits
    return Reduction(
        a_width=max(geo.a_top.bit_length(), 1), a_clamp=geo.a_clamp,
        thresholds=geo.thresholds, n_max=geo.n_max, n_width=unsigned_bits(geo.n_max),
        c_raw=geo.c, c_width=unsigned_bits(max(geo.c)), d_guard=p.d_guard,
        d_frac=f + p.d_guard, d_width=signed_bits(geo.d_lo, geo.d_hi), h=geo.h,
        segments=geo.segments, corrections=p.corrections)


def _table(p, red, coef_exact, prod_frac, shifts, y0_frac, y0_raw):
    K, F = p.order, p.acc_frac
    addend = []
    for k in range(K):
        row = []
        for n in range(red.n_max + 1):
            if k == 0:
                delta = coef_exact[n][0] - Fraction(y0_raw[n], 1 << y0_frac)
                q = round_half_up(delta * (1 << y0_frac))
            else:
                q = round_half_up(coef_exact[n][k] * (1 << prod_frac[k]))
            row.append(q + (1 << (shifts[k] - 1)))
        addend.append(tuple(row))
    table = TableCoefficients(
        acc_k_const=tuple(round_half_up(coef_exact[n][K] * (1 << F[K]))
                          for n in range(red.n_max + 1)),
        addend=tuple(addend))
    h = red.h
    # each constant rounded at its product's scale; c_K at F_K; delta_n at y0's scale
    error = (sum(h ** k / (1 << (prod_frac[k] + 1)) for k in range(1, K))
             + h ** K / (1 << (F[K] + 1)) + Fraction(1, 1 << (y0_frac + 1)))
    widths = []
    for k in range(K):
        vals = list(addend[k])
        if k == 0:
            vals = [v + y for v, y in zip(vals, y0_raw)]
        widths.append(signed_bits(min(vals), max(vals)))
    return table, error, tuple(widths)


def _derived(p, red, coef_exact, prod_frac, shifts, y0_frac, y0_raw):
    K, Fw = p.order, p.coef_frac
    # c_k needs only a little more precision than acc_k itself (its error reaches the
    # output multiplied by d^k, like acc_k's rounding); the addend aligns it to the
    # product's scale with zeros. Computing it to the product's scale instead would
    # need ~44-bit multipliers for the default.
    targets = tuple(min(prod_frac[k], p.acc_frac[k] + DERIVED_GUARD) if k < K
                    else p.acc_frac[K] for k in range(K + 1))
    recipe = DerivedRecipe(order=K, work_frac=Fw, const_frac=Fw, targets=targets)
    y0_w = tuple(reference_raw(n, Fw) for n in range(red.n_max + 1))
    ranges = {}
    worst = Fraction(0)
    for n in range(red.n_max + 1):
        values = recipe.run(y0_w[n])
        for name, v in values.items():
            lo, hi = ranges.get(name, (v, v))
            ranges[name] = (min(lo, v), max(hi, v))
        err = sum(red.h ** k * abs(Fraction(values["c{}".format(k)], 1 << targets[k])
                                   - coef_exact[n][k]) for k in range(1, K + 1))
        err += abs(Fraction(y0_raw[n], 1 << y0_frac) - coef_exact[n][0])
        worst = max(worst, err)
    align = tuple(prod_frac[k] - targets[k] if k < K else 0 for k in range(K + 1))
    coefs = DerivedCoefficients(recipe=recipe, y0_raw=y0_w,
                                ranges=types.MappingProxyType(ranges), align=align,
                                max_error=worst)
    widths = []
    for k in range(K):
        half = 1 << (shifts[k] - 1)   # the addend holds (c_k << align) + half
        if k:
            lo, hi = ranges["c{}".format(k)]
            lo, hi = lo << align[k], hi << align[k]
        else:
            lo, hi = min(y0_raw), max(y0_raw)
        widths.append(signed_bits(lo + half, hi + half))
    return coefs, worst, tuple(widths)


def _acc_ranges(p, red, coef_exact):
    """Accumulator ranges: exact per n over the segment's d range, plus rounding slack."""
    K, F, G = p.order, p.acc_frac, p.d_guard
    ranges = [None] * (K + 1)
    for n, (lo, hi) in enumerate(red.segments):
        dl = Fraction((lo << G) - red.c_raw[n], 1 << red.d_frac)
        dh = Fraction((hi << G) - red.c_raw[n], 1 << red.d_frac)
        c = coef_exact[n]
        for k in range(K + 1):
            # |acc_k| <= sum_{j>=k} |c_j| h^(j-k) about the centre; evaluate at both ends too
            vals = [sum(c[j] * dd ** (j - k) for j in range(k, K + 1)) for dd in (dl, dh)]
            bound = sum(abs(c[j]) * max(abs(dl), abs(dh)) ** (j - k) for j in range(k, K + 1))
            lo_v = min(vals + [-bound]) if any(v < 0 for v in vals) else min(vals)
            hi_v = max(vals + [bound])
            lo_r = math.floor(lo_v * (1 << F[k])) - 2
            hi_r = math.ceil(hi_v * (1 << F[k])) + 2
            if ranges[k] is not None:
                lo_r, hi_r = min(ranges[k][0], lo_r), max(ranges[k][1], hi_r)
            ranges[k] = (lo_r, hi_r)
    return tuple(ranges)


@functools.lru_cache(maxsize=None)
def plan_for(params):
    """The ``Plan`` of a parameter set (cached; plans are immutable)."""
    if not isinstance(params, PipelineParams):
        raise TypeError("params must be PipelineParams (from derive_params), not {!r}"
                        .format(params))
    p = params
    K, F = p.order, p.acc_frac
    ulp = Fraction(1, 1 << p.output_bits)
    red = _reduction(p)
    geo = geometry(p.input_format, p.output_bits, p.d_guard)
    h = red.h
    prod_frac = tuple(red.d_frac + F[k + 1] for k in range(K))
    shifts = tuple(prod_frac[k] - F[k] for k in range(K))
    y0_frac = prod_frac[0]
    y0_raw = tuple(reference_raw(n, y0_frac) for n in range(red.n_max + 1))
    coef_exact = segment_coefficients(p.input_format, p.output_bits, K, p.coefficients, geo,
                                      red.d_frac)
    build = _derived if p.coefficients == "derived" else _table
    coefs, coef_err, addend_width = build(p, red, coef_exact, prod_frac, shifts, y0_frac,
                                          y0_raw)
    if p.corrections:
        # the last addend also carries the correction, +-2^s_0 (at most one bit more)
        addend_width = (addend_width[0] + 1,) + addend_width[1:]
    terms = {
        "approximation": approximation_error(p.input_format, p.output_bits, K,
                                             p.coefficients) / ulp,
        "horner_rounding": sum(h ** k / (1 << (F[k] + 1)) for k in range(1, K)) / ulp,
        # derived: d = a - C_n is off by |e_n| <= 2^-(f+G+1); sigmoid' <= 1/4, polynomial
        # slope a bit more
        "reduction": (Fraction(3, 10) / (1 << (red.d_frac + 1)) / ulp
                      if p.coefficients == "derived" else Fraction(0)),
        "coefficients": coef_err / ulp,
    }
    acc_range = _acc_ranges(p, red, coef_exact)
    acc_width = tuple(signed_bits(lo, hi) for lo, hi in acc_range)
    horner = Horner(order=K, acc_frac=F, acc_width=acc_width, acc_range=acc_range,
                    prod_frac=prod_frac, shifts=shifts, addend_width=addend_width,
                    y0_frac=y0_frac, y0_raw=y0_raw, register_product=p.register_product)
    stages = (("fold", 1), ("reduce", 2))
    if p.coefficients == "derived":
        stages += (("coefficients", coefs.recipe.stages),)
    stages += (("horner", horner.stages), ("output", 1))
    widest = max(red.d_width + w for w in acc_width) + 2
    if p.coefficients == "derived":
        widest = max(widest, 2 * (p.coef_frac + 2) + 4)
    return Plan(params=p, reduction=red, coefficients=coefs, horner=horner,
                error_terms=types.MappingProxyType(terms), error_bound=sum(terms.values()),
                stages=stages, wide=widest > _MAX_INT64_BITS)

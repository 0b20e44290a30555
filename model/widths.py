"""``derive_params``: the order and every width, chosen from the error budget.

The order is the smallest whose approximation error is at most half the
budget (and whose output stays monotonic across segment boundaries, checked
on the model); the rest of the budget is split evenly over the K rounding
points and the constants; each F_k is the fewest bits that keep
``h^k 2^-(F_k+1)`` within its share, and at least as many as keep its
rounding noise from making the output step down (``monotone_frac``). Every override is
checked against the budget; a combination that breaks it is a
``ValueError`` naming the bound it would give.
"""

import dataclasses
import functools
from fractions import Fraction
import math

import numpy as np

from sigmoid_hw.model.accuracy import monotonic_violations
from sigmoid_hw.model.approx import approximation_error
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.geometry import geometry
from sigmoid_hw.model.params import COEFFICIENT_SOURCES, ROUNDING_MODES, PipelineParams
from sigmoid_hw.model.plan import DERIVED_GUARD, plan_for
from sigmoid_hw.model.precision import allocate
from sigmoid_hw.model.rounding import find_corrections
from sigmoid_hw.model.trace import trace_fixed
from sigmoid_hw.model.validate import check_bool, check_choice, check_instance, check_int, check_real

__all__ = ["derive_params", "monotone_frac", "MAX_ORDER"]

MAX_ORDER = 12


def derive_params(input_format=None, output_bits=16, order=None, coefficients=None,
                  *, d_guard=None, acc_frac=None, coef_frac=None, budget=None,
                  register_product=False, rounding="faithful"):
    """Choose every width from the error budget; validate the user's choices.

    Parameters
    ----------
    input_format : SQ
        Default ``SQ(4, 12)``. At most 8 integer and 24 fraction bits.
    output_bits : int
        F, 2 .. 32.
    order : int or None
        Polynomial order 1 .. 12; ``None`` picks the smallest whose
        approximation error is at most half the budget.
    coefficients : ``"table"``, ``"derived"``, ``"minimax"`` or None
        Taylor coefficients as per-n constants, Taylor coefficients computed
        from y0 by multipliers, or per-n minimax refits (same hardware as
        ``"table"``; not the seed's Taylor series, usually one order lower).
        ``None``: ``"table"`` for faithful rounding, ``"minimax"`` for correct
        rounding (its smaller error for the same order saves multipliers).
    d_guard, acc_frac, coef_frac : int, tuple of int, int, optional
        Override the derived widths (checked against the budget).
    budget : Fraction or float, optional
        Bound on the error before the final rounding, in ulp; in (0, 1/2).
        Default 1/4 for faithful rounding; for correct rounding
        ``min(1/4, 2^7 / 2^(W-1))`` for W input bits, which keeps the
        expected number of corrections near a dozen whatever the width.
    register_product : bool
        Two cycles per Horner stage (product registered, then added).
    rounding : ``"faithful"`` or ``"correct"``
        ``"correct"``: the widths are allocated by multiplier ports
        (``sigmoid_hw.model.precision``) to meet the smaller budget, and the inputs that
        still round the wrong way are found exactly and corrected
        (``sigmoid_hw.model.rounding``): every output is the exact sigmoid rounded to
        nearest.

    Raises
    ------
    TypeError, ValueError
        Naming the parameter and its value.
    """
    if input_format is None:
        input_format = SQ(4, 12)
    check_instance("input_format", input_format, SQ, "an SQ format such as SQ(4, 12)")
    if input_format.i_bits > 8:
        raise ValueError("input_format {!r} has more than 8 integer bits; sigmoid saturates "
                         "long before 2^7".format(input_format))
    if input_format.f_bits < 1 or input_format.f_bits > 24:
        raise ValueError("input_format {!r} must have between 1 and 24 fraction bits"
                         .format(input_format))
    output_bits = check_int("output_bits", output_bits, 2, 32)
    check_bool("register_product", register_product)
    check_choice("rounding", rounding, ROUNDING_MODES)
    correct = rounding == "correct"
    if coefficients is None:
        coefficients = "minimax" if correct else "table"
    check_choice("coefficients", coefficients, COEFFICIENT_SOURCES)
    if budget is None:
        budget = (min(Fraction(1, 4), Fraction(1 << 7, 1 << (input_format.width - 1)))
                  if correct else Fraction(1, 4))
    budget = check_real("budget", budget, 0, Fraction(1, 2), open_lo=True, open_hi=True)
    if order is not None:
        order = check_int("order", order, 1, MAX_ORDER)
    if d_guard is not None:
        d_guard = check_int("d_guard", d_guard, 0, 24)
    if coef_frac is not None and coefficients != "derived" and coef_frac != 0:
        raise ValueError("coef_frac applies only to coefficients='derived', not {!r}"
                         .format(coef_frac))
    if coef_frac is not None and coefficients == "derived":
        coef_frac = check_int("coef_frac", coef_frac, 4, 60)

    ulp = Fraction(1, 1 << output_bits)
    auto_order = order is None
    if order is None:
        for k in range(1, MAX_ORDER + 1):
            if approximation_error(input_format, output_bits, k, coefficients) <= budget / 2 * ulp:
                order = k
                break
        else:
            raise ValueError("no order up to {} meets the budget of {} ulp at output_bits={}"
                             .format(MAX_ORDER, float(budget), output_bits))
    if correct:
        # derived once per set of widths (a frozen record): generate asks for the same
        # correctly rounded pipeline for each of its reuse factors
        return _correct_once(input_format, output_bits, order, coefficients, d_guard,
                             None if acc_frac is None else tuple(acc_frac), coef_frac, budget,
                             register_product, auto_order)
    while True:
        params = _widths(input_format, output_bits, order, coefficients, d_guard, acc_frac,
                         coef_frac, budget, register_product)
        # The remainder changes sign across a segment boundary (d = +h to d = -h): where
        # that jump exceeds sigmoid's step, the output can step down. One more order.
        if (auto_order and acc_frac is None and order < MAX_ORDER
                and not _monotone_at_boundaries(params)):
            order += 1
            continue
        return params


def _correct(input_format, output_bits, order, coefficients, d_guard, acc_frac, coef_frac,
             budget, register_product, auto_order):
    """Correct rounding: port-allocated widths (one more order where it is cheaper), corrections."""
    if acc_frac is None:
        best = None
        for k in range(order, min(order + 1, MAX_ORDER) + 1 if auto_order else order + 1):
            approx = approximation_error(input_format, output_bits, k, coefficients)
            if approx >= budget * Fraction(1, 1 << output_bits):
                continue
            base = _widths(input_format, output_bits, k, coefficients, d_guard, None, coef_frac,
                           Fraction(1, 2) - Fraction(1, 1 << 20), register_product, check=False)
            found = allocate(plan_for(base), budget, approx / Fraction(1, 1 << output_bits))
            if found is not None and (best is None or found[1:] < best[1][1:]):
                best = (k, found)
        if best is None:
            raise ValueError("no order up to {} meets the correct-rounding budget of {:.3g} ulp "
                             "at output_bits={} within the multiplier widths; give order and "
                             "acc_frac".format(MAX_ORDER, float(budget), output_bits))
        order, acc_frac = best[0], best[1][0]
    params = _widths(input_format, output_bits, order, coefficients, d_guard, acc_frac, coef_frac,
                     budget, register_product)
    params = dataclasses.replace(params, rounding="correct")
    return dataclasses.replace(params, corrections=find_corrections(params))


def _widths(input_format, output_bits, order, coefficients, d_guard, acc_frac, coef_frac,
            budget, register_product, check=True):
    """The parameter set of one order: widths derived (or checked) and the bound met."""
    ulp = Fraction(1, 1 << output_bits)
    h = geometry(input_format, output_bits, 0).h
    approx = approximation_error(input_format, output_bits, order, coefficients)
    if approx >= budget * ulp:
        raise ValueError("order={} leaves an approximation error of {:.3g} ulp, above the "
                         "budget of {} ulp at output_bits={}; use a higher order".format(
                             order, float(approx / ulp), float(budget), output_bits))
    share = (budget * ulp - approx) / (order + 3)
    if d_guard is None:
        d_guard = 0
        if coefficients == "derived":
            while Fraction(3, 10) / (1 << (input_format.f_bits + d_guard + 1)) > share:
                d_guard += 1
    d_frac = input_format.f_bits + d_guard
    if acc_frac is None:
        frac = [output_bits]
        for k in range(1, order + 1):
            f = 0
            while Fraction(h) ** k / (1 << (f + 1)) > share:
                f += 1
            f = max(f, monotone_frac(input_format, output_bits, h, k))
            # the stage computing acc_(k-1) shifts its product right by
            # s = f + G + F_k - F_(k-1), which must be at least 1 (it rounds)
            f = max(f, frac[k - 1] - d_frac + 1)
            frac.append(max(f, 1))
        acc_frac = tuple(frac)
    else:
        acc_frac = _check_acc_frac(acc_frac, order, output_bits, d_frac)
    if coefficients != "derived":
        coef_frac = 0
    elif coef_frac is None:
        # c_k is computed to F_k + 3 fraction bits (sigmoid_hw.model.plan); 4 more for the products
        coef_frac = max(acc_frac) + DERIVED_GUARD + 4
    params = PipelineParams(input_format, output_bits, order, coefficients, d_guard,
                            acc_frac, coef_frac, budget, register_product)
    bound = plan_for(params).error_bound
    if check and bound > budget:
        raise ValueError("these widths give an error bound of {:.4f} ulp before rounding, above "
                         "the budget of {} ulp (order={}, d_guard={}, acc_frac={}, coef_frac={})"
                         .format(float(bound), float(budget), order, d_guard, acc_frac,
                                 coef_frac))
    return params


def _check_acc_frac(acc_frac, order, output_bits, d_frac):
    if not isinstance(acc_frac, (tuple, list)):
        raise TypeError("acc_frac must be a tuple of order+1 = {} fraction widths (F_0 .. F_K), "
                        "not {!r}".format(order + 1, acc_frac))
    if len(acc_frac) != order + 1:
        raise ValueError("acc_frac must be a tuple of order+1 = {} fraction widths "
                         "(F_0 .. F_K), not {!r}".format(order + 1, acc_frac))
    acc_frac = tuple(check_int("acc_frac[{}]".format(k), v, 1, 60)
                     for k, v in enumerate(acc_frac))
    if acc_frac[0] != output_bits:
        raise ValueError("acc_frac[0] must equal output_bits={} (acc_0 is the output), "
                         "not {}".format(output_bits, acc_frac[0]))
    for k in range(order):
        if acc_frac[k] >= d_frac + acc_frac[k + 1]:
            raise ValueError("acc_frac[{}]={} must be less than the product's fraction bits "
                             "{} (acc_frac[{}] + {} fraction bits of d)".format(
                                 k, acc_frac[k], d_frac + acc_frac[k + 1], k + 1, d_frac))
    return acc_frac


def _monotone_at_boundaries(params, window=64):
    """The model is non-decreasing across every segment boundary (both signs)."""
    fmt = params.input_format
    xs = set()
    for t in plan_for(params).reduction.thresholds:
        for s in (1, -1):
            for v in range(s * t - window, s * t + window):
                if fmt.min <= v <= fmt.max:
                    xs.add(v)
    xs = np.array(sorted(xs), dtype=np.int64)
    return not monotonic_violations(xs, trace_fixed(xs, params)["y"])


def monotone_frac(input_format, output_bits, h, k=1):
    """Fraction bits of acc_k that keep the output monotonic.

    acc_k's rounding error reaches the output multiplied by d^k, and it jumps
    from one input to the next (the approximation error is smooth in d). Where
    that jump, up to h^k 2^-(F_k+1), exceeds the increase of sigmoid between
    neighbouring inputs, sigmoid'(x) 2^-f, a rounding boundary between them can
    make the output step down. The smallest increase that matters is at the
    largest x before the output saturates, x = min(x_max, (F + 1) ln 2). The
    rule holds for every accumulator (the 24-bit minimax pipeline stepped down
    once when only acc_1 followed it).
    """
    x_last = min(float(-input_format.min_value), (output_bits + 1) * math.log(2))
    y = 1 / (1 + math.exp(-x_last))
    step = y * (1 - y) * 2.0 ** -input_format.f_bits
    return max(0, math.ceil(math.log2(float(h) ** k / step)) - 1)


_correct_once = functools.lru_cache(maxsize=32)(_correct)

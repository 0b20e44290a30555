"""Exact values of GELU, ELU and the derivatives tanh', SiLU', GELU', from mpmath.

``mp_scaled(name, raw_x, in_format, out_frac_bits, guard_bits)`` returns
``(numer, shift, bound)`` with ``|numer / 2^shift - f(x) 2^out_frac_bits| <=
bound / 2^shift``, the contract of ``sigmoid_hw.model.function_exact.exact_scaled``.

Each value is evaluated with mpmath at ``p = guard + out + i + 40`` bits on the
exactly represented input ``x = raw 2^-f`` (an ``mpf``, no rounding), from
formulas without cancellation between large terms::

    gelu   x erfc(-x / sqrt 2) / 2
    elu    x (x >= 0), expm1(x) (x < 0)
    dtanh  sech(x)^2
    dsilu  s(x) (1 + x s(-x)),  s(x) = 1 / (1 + exp(-x))
    dgelu  erfc(-x / sqrt 2) / 2 + x exp(-x^2 / 2) / sqrt(2 pi)

mpmath evaluates ``exp``, ``expm1`` and ``erfc`` of a real argument with guard
bits of its own and returns them to within a few units of the working
precision; each formula adds a few roundings more. The bound taken is
``2^(24 - p)`` times the terms' magnitude ``(1 + |x|) 2^out``: 2^20 times
that. The few inputs whose value lies within the bound of a rounding midpoint
are recomputed by ``sigmoid_hw.model.function_exact.correctly_rounded`` with twice the
guard bits (so ``p`` doubles), Ziv's strategy. The tests check this path
against the integer-certified sigmoid, tanh, sigmoid' and SiLU of
``sigmoid_hw.model.accuracy`` (the same formulas for those four are in ``MP_FORMULAS``).
"""

import numpy as np
import mpmath

__all__ = ["MP_FORMULAS", "mp_value", "mp_scaled"]


def _s(mp, x):
    return 1 / (1 + mp.exp(-x))


MP_FORMULAS = {
    "sigmoid": lambda mp, x: _s(mp, x),
    "tanh": lambda mp, x: mp.tanh(x),
    "dsigmoid": lambda mp, x: _s(mp, x) * _s(mp, -x),
    "silu": lambda mp, x: x * _s(mp, x),
    "gelu": lambda mp, x: x * mp.erfc(-x / mp.sqrt(2)) / 2,
    "elu": lambda mp, x: x if x >= 0 else mp.expm1(x),
    "dtanh": lambda mp, x: mp.sech(x) ** 2,
    "dsilu": lambda mp, x: _s(mp, x) * (1 + x * _s(mp, -x)),
    "dgelu": lambda mp, x: (mp.erfc(-x / mp.sqrt(2)) / 2
                            + x * mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)),
}


def mp_value(name, x, prec=200):
    """``f(x)`` as an ``mpf`` at ``prec`` bits (``x`` a Fraction, int or mpf)."""
    with mpmath.workprec(prec):
        if not isinstance(x, mpmath.mpf):
            x = mpmath.mpf(x.numerator) / x.denominator if hasattr(x, "denominator") \
                else mpmath.mpf(x)
        return MP_FORMULAS[name](mpmath.mp, x)


def mp_scaled(name, raw_x, in_format, out_frac_bits, guard_bits):
    """``(numer, shift, bound)`` (object arrays of Python ints), module docstring."""
    formula = MP_FORMULAS[name]
    raw = np.asarray(raw_x, dtype=np.int64).ravel()
    f_in = in_format.f_bits
    mag_bits = max(1, in_format.i_bits)
    prec = guard_bits + out_frac_bits + mag_bits + 40
    numer = np.empty(raw.size, dtype=object)
    bound = np.empty(raw.size, dtype=object)
    scale = out_frac_bits + guard_bits
    with mpmath.workprec(prec):
        mp = mpmath.mp
        for k, r in enumerate(raw.tolist()):
            if name == "elu" and r >= 0 and scale >= f_in:
                # exactly x, bound 0: a tie (f_out < f_in) rounds up (correctly_rounded)
                numer[k], bound[k] = r << (scale - f_in), 0
                continue
            x = mpmath.ldexp(mpmath.mpf(r), -f_in)
            v = mpmath.ldexp(formula(mp, x), scale)
            numer[k] = int(mpmath.floor(v))
            # (1 + |x|) 2^out 2^guard 2^(24 - p), rounded up, plus the floor's unit
            mag = (abs(r) >> f_in) + 2
            bound[k] = ((mag << scale) >> (prec - 24)) + 2
    shape = np.shape(raw_x)
    return numer.reshape(shape), guard_bits, bound.reshape(shape)

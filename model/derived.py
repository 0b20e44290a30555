"""The derived-coefficient recipe of seed 001: ``c_k = P_k(y0) / k!`` from y0 by multipliers.

``u = y0 (1 - y0)``, ``t = 1 - 2 y0``, powers ``u^j`` by repeated products,
then ``P_k = sum_j alpha_kj u^j`` (odd k) or ``t sum_j beta_kj u^j`` (even
k), with integer alpha, beta (``uv_basis``). Fixed point: y0, u, t and the
powers have ``Fw`` fraction bits, the constants ``alpha_kj / k!`` have
``Fa``; each c_k is rounded to ``targets[k]`` fraction bits.

The recipe is written once, in ``DerivedRecipe``: its stage methods use only
``+``, ``-``, ``*``, ``<<`` and ``>>``, so the integer model runs them on
Python ints or numpy arrays and the gateware calls the very same methods on
Amaranth values, one method per register stage::

    stage 1        u, t = recipe.first(y0)
    stages 2 .. J  pow_j = recipe.power(pow_(j-1), u)
    stage J+1      lin_k = recipe.combination(k, powers)        k = 1 .. K
    stage J+2      c_k   = recipe.coefficient(k, lin_k, t)
"""

import functools
from dataclasses import dataclass
from fractions import Fraction
import math

from sigmoid_hw.model.derivatives import derivative_poly
from sigmoid_hw.model.intmath import round_half_up, rshift_round

__all__ = ["uv_basis", "DerivedRecipe"]


def _mul(a, b):
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


@functools.lru_cache(maxsize=None)
def uv_basis(k):
    """P_k(y) = sum_j coef_j u^j (odd k) or t * sum_j coef_j u^j (even k).

    u = y(1-y), t = 1-2y. Returns the integer tuple ``coef`` (index j = 0..).
    Found by exact polynomial division; every step is checked to leave no
    remainder.
    """
    p = [Fraction(c) for c in derivative_poly(k)]  # in y, lowest first
    if k % 2 == 0:
        # divide by t = 1 - 2y exactly
        q = [Fraction(0)] * (len(p) - 1)
        rem = list(p)
        for deg in range(len(p) - 1, 0, -1):
            coef = rem[deg] / -2
            q[deg - 1] = coef
            rem[deg] -= coef * -2
            rem[deg - 1] -= coef
        if any(rem):
            raise ArithmeticError("P_{} is not divisible by 1 - 2y".format(k))
        p = q
    while len(p) > 1 and p[-1] == 0:
        p.pop()
    # p(y) is symmetric about 1/2: peel the top power of u = y - y^2 repeatedly
    powers = [[1]]
    while len(powers[-1]) <= len(p):
        powers.append(_mul(powers[-1], [0, 1, -1]))
    degree_u = (len(p) - 1) // 2
    coefs = [Fraction(0)] * (degree_u + 1)
    rest = list(p)
    for j in range(degree_u, -1, -1):
        lead = rest[2 * j] / powers[j][2 * j] if 2 * j < len(rest) else Fraction(0)
        coefs[j] = lead
        for i, c in enumerate(powers[j]):
            rest[i] -= lead * c
    if any(rest) or any(c.denominator != 1 for c in coefs):
        raise ArithmeticError("P_{} is not an integer polynomial in u".format(k))
    return tuple(int(c) for c in coefs)


@dataclass(frozen=True)
class DerivedRecipe:
    """The fixed-point recipe for c_1 .. c_K; see the module docstring.

    Members
    -------
    order : int
        K.
    work_frac : int
        Fw, fraction bits of y0, u, t and the powers.
    const_frac : int
        Fa, fraction bits of the constants alpha_kj / k!.
    targets : tuple of int
        Fraction bits of c_k, index k = 0 .. K (index 0 unused).
    """
    order: int
    work_frac: int
    const_frac: int
    targets: tuple

    @property
    def powers(self):
        """J = ceil(K / 2): the highest power of u needed."""
        return (self.order + 1) // 2

    @property
    def stages(self):
        """Register stages of the recipe: J + 2."""
        return self.powers + 2

    @functools.cached_property
    def constants(self):
        """``constants[k][j] = round(basis_kj / k! 2^Fa)``, k = 1 .. K (index 0 empty)."""
        return ((),) + tuple(
            tuple(round_half_up(Fraction(b, math.factorial(k)) * (1 << self.const_frac))
                  for b in uv_basis(k))
            for k in range(1, self.order + 1))

    def first(self, y0):
        """Stage 1: ``(u, t)`` from y0 (Fw fraction bits)."""
        one = 1 << self.work_frac
        return rshift_round(y0 * (one - y0), self.work_frac), one - 2 * y0

    def power(self, previous, u):
        """Stages 2 .. J: ``u^j`` from ``u^(j-1)`` and u."""
        return rshift_round(previous * u, self.work_frac)

    def combination(self, k, powers):
        """Stage J+1: ``sum_j const_kj u^j`` (``powers[j]`` = u^j, j >= 1), Fw + Fa bits."""
        one = 1 << self.work_frac
        total = 0
        for j, a in enumerate(self.constants[k]):
            if a:
                total = total + (a * one if j == 0 else powers[j] * a)
        return total

    def coefficient(self, k, lin, t, name=None):
        """Stage J+2: c_k at ``targets[k]`` bits; even k multiply by t.

        ``name(label, value)``, if given, names an intermediate (the gateware
        gives it a signal of the width the plan computed); it returns the value
        to use.
        """
        target = self.targets[k]
        if k % 2:
            return rshift_round(lin, self.work_frac + self.const_frac - target)
        rounded = rshift_round(lin, self.const_frac)
        if name is not None:
            rounded = name("lr{}".format(k), rounded)
        return rshift_round(t * rounded, 2 * self.work_frac - target)

    def run(self, y0):
        """Every intermediate for y0 (int or array): dict ``u, t, pow1.., lin1.., lr2.., c1..``."""
        out = {}
        u, t = self.first(y0)
        out["t"] = t
        powers = {1: u}
        for j in range(2, self.powers + 1):
            powers[j] = self.power(powers[j - 1], u)
        for j, v in powers.items():
            out["pow{}".format(j)] = v

        def note(label, value):
            out[label] = value
            return value

        for k in range(1, self.order + 1):
            lin = out["lin{}".format(k)] = self.combination(k, powers)
            out["c{}".format(k)] = self.coefficient(k, lin, t, note)
        return out

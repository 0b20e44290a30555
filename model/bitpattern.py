"""sigmoid(n ln2) = 2^n / (2^n + 1) from its periodic bit pattern (seed 001, property 4).

The binary expansion is periodic and needs no division:

* n > 0: ``0.`` then n ones, n zeros, n ones, ... (n = 2: 0.11001100...)
* n = 0: ``0.1`` exactly
* n < 0: ``0.`` then |n| zeros, |n| ones, ... (n = -2: 0.00110011...)

Fraction bit j (j = 1, 2, ..., weight 2^-j) is, for n > 0, one exactly when
``(j - 1) // n`` is even, and for n < 0 when ``(j - 1) // |n|`` is odd. That
is why it holds: 2^n / (2^n + 1) = (2^n - 1) 2^n / (2^{2n} - 1), a block of
n ones then n zeros repeated with period 2n; for n < 0 it is 1 minus that.

Relation to rounding. Keeping the first F bits of the pattern *truncates*
the exact value (the tail is non-negative). Round to nearest is that plus
bit F + 1 of the pattern: for n != 0 the tail is never exactly one half of a
unit (the expansion does not terminate), so there is never a tie, and
``round_nearest = truncated + bit(F + 1)``. The one tie is n = 0 with F = 0
(0.1 exactly, half of one unit), which ``"nearest"`` rounds up, to 1. The hardware uses this: it can
make y0 as wide as its next stage needs and round or truncate for free.
"""

from fractions import Fraction
from sigmoid_hw.model.validate import check_int

__all__ = ["pattern_bit", "reference_raw", "reference_value", "pattern_string"]


_check_int = check_int


def pattern_bit(n, j):
    """Fraction bit ``j`` (weight ``2**-j``, j >= 1) of sigmoid(n ln2)."""
    n = _check_int("n", n)
    j = _check_int("j", j, 1)
    if n == 0:
        return 1 if j == 1 else 0
    block = (j - 1) // abs(n)
    return 1 if (block % 2 == 0) == (n > 0) else 0


def reference_raw(n, f_bits, rounding="truncate"):
    """sigmoid(n ln2) as an integer with ``f_bits`` fraction bits, from the pattern.

    The seed's ``buildRefVal``: bits are set one by one, no division.

    Parameters
    ----------
    n : int
    f_bits : int
        Fraction bits, >= 0.
    rounding : ``"truncate"`` or ``"nearest"``
        Truncation (the pattern cut after ``f_bits`` bits) or round to nearest
        (plus the next pattern bit).
    """
    n = _check_int("n", n)
    f_bits = _check_int("f_bits", f_bits, 0)
    if rounding not in ("truncate", "nearest"):
        raise ValueError("rounding must be 'truncate' or 'nearest', not {!r}".format(rounding))
    raw = 0
    for j in range(1, f_bits + 1):
        raw = (raw << 1) | pattern_bit(n, j)
    if rounding == "nearest":
        raw += pattern_bit(n, f_bits + 1)
    return raw


def reference_value(n, f_bits, rounding="truncate"):
    """``reference_raw`` as an exact ``Fraction``."""
    return Fraction(reference_raw(n, f_bits, rounding), 1 << f_bits)


def pattern_string(n, f_bits):
    """The pattern as text, e.g. ``'0.11001100'`` for n = 2, f_bits = 8."""
    return "0." + "".join(str(pattern_bit(n, j)) for j in range(1, f_bits + 1))

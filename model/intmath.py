"""Integer helpers that the model and the gateware share.

They work on Python ints, on numpy integer (or object) arrays and on
Amaranth values alike, because they only use ``+``, ``<<`` and ``>>``: the
gateware calls the same function that the model runs, so the two cannot
drift apart.
"""

import math
from fractions import Fraction

__all__ = ["round_half_up", "rshift_round", "signed_bits", "unsigned_bits"]


def round_half_up(q):
    """A ``Fraction`` (or int) rounded to the nearest integer, ties up."""
    return math.floor(Fraction(q) + Fraction(1, 2))


def rshift_round(value, shift):
    """``(value + 2^(shift-1)) >> shift``: an arithmetic shift that rounds half up.

    A shift of 0 or less is an exact left shift.
    """
    if shift <= 0:
        return value << -shift
    return (value + (1 << (shift - 1))) >> shift


def signed_bits(lo, hi):
    """Bits of a two's complement number that holds every integer in ``[lo, hi]``."""
    bits = 1
    while not (-(1 << (bits - 1)) <= lo and hi <= (1 << (bits - 1)) - 1):
        bits += 1
    return bits


def unsigned_bits(hi):
    """Bits of an unsigned number that holds every integer in ``[0, hi]`` (at least 1)."""
    return max(int(hi).bit_length(), 1)

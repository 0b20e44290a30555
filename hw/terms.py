"""Bits of the Horner evaluator's terms, read modulo ``2^W``, whatever their own width.

A split multiply-add (``sigmoid_hw.hw.horner``) computes every sum modulo
``2^W``; a term narrower than ``W`` (a partial product, the addend) stands for
its sign extension (its zero extension if unsigned). These read it so, so a
term can be kept, and registered, at its own width (``Family.narrow``).
"""

from amaranth import *

__all__ = ["mod", "bits", "drop"]


def mod(value, width):
    """``value`` modulo ``2^width``, as ``width`` unsigned bits (sign-extended first)."""
    value = Value.cast(value)
    if len(value) >= width:
        return value[:width]
    fill = value[-1] if value.shape().signed and len(value) else Const(0, 1)
    return Cat(value, fill.replicate(width - len(value)))


def bits(value, lo, hi):
    """Bits ``lo:hi`` of ``value``, extended by its sign (or zeros) above its width."""
    value = Value.cast(value)
    return value[lo:hi] if hi <= len(value) else mod(value, hi)[lo:hi]


def drop(value, size):
    """``value >> size``: its bits above ``size`` (a signed value keeps at least its sign)."""
    value = Value.cast(value)
    if not value.shape().signed:
        return value[size:]
    return value[min(size, len(value) - 1):].as_signed()

"""A one-bit carry-in added to a wide value over registered carry segments.

``v + c`` (``c`` one bit, the result modulo ``2^width``) is the add that the
sign fold (``|x| = (x ^ s) + s``) and the output stage (``2^F - r`` as
``~r + 1``) are left with once the LUT logic in front of them is registered:
a carry chain with nothing before or after it. Where one chain does not fit
the period (``sigmoid_hw.hw.timing``), it is cut into the segments
``sigmoid_hw.hw.timing.segments`` gives, one register after each, the carry
registered between them (as the Horner adds are cut).

Between two segments a register holds ``done`` (the result's bits below the
next segment), ``cy`` (the carry into it) and ``rest`` (the value's bits not
yet added).
"""

from amaranth import *

__all__ = ["increment_fields", "increment_step"]


def increment_fields(width, segments):
    """The shapes of the fields ``done``, ``cy``, ``rest`` in the register after each segment
    but the last (the last register holds the result, ``width`` bits)."""
    return [{"done": unsigned(hi), "cy": unsigned(1), "rest": unsigned(width - hi)}
            for _, hi in segments[:-1]]


def increment_step(done, cy, rest, lo, hi):
    """Segment ``lo:hi`` of ``v + c``: the new ``(done, cy, rest)``.

    ``done`` holds bits ``0:lo`` of the result, ``cy`` the carry into bit
    ``lo``, ``rest`` bits ``lo:`` of v. After the last segment ``done`` is
    the result (the carry out of the top is dropped: modulo ``2^width``).
    """
    size = hi - lo
    rest = Value.cast(rest)
    total = rest[:size] + cy          # size + 1 bits: no wrap
    return (Cat(Value.cast(done), total[:size]) if lo else total[:size],
            total[size], rest[size:])

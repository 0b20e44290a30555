"""A bare registered multiply-add: the device's own limit for the pipeline's kind of datapath.

Not a sigmoid. ``sigmoid-hw compare`` builds it at the width of the
pipeline's widest Horner stage and reports its Fmax next to the designs', so
"how close to the device's limit" is a measured ratio, not a guess.
"""

import numbers

from amaranth import *
from amaranth.lib import wiring, stream, data
from amaranth.lib.wiring import In, Out

__all__ = ["MultiplyAdd"]

_signed_shape = signed  # the constructor's ``signed`` flag shadows the shape function


def _check_width(name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise TypeError("{} must be a positive integer, not {!r}".format(name, value))
    return int(value)


def _check_parameters(a_width, b_width, c_width, signed):
    """``(a_width, b_width, c_width, signed)`` validated, ``c_width`` defaulted."""
    a_width = _check_width("a_width", a_width)
    b_width = _check_width("b_width", b_width)
    c_width = _check_width("c_width", a_width + b_width if c_width is None else c_width)
    if not isinstance(signed, bool):
        raise TypeError("signed must be a bool, not {!r}".format(signed))
    return a_width, b_width, c_width, signed


class MultiplyAdd(wiring.Component):
    """``p = a * b + c`` between two rows of registers, with a stream interface.

    The operands are registered on entry, the product and sum are computed in
    one clock and registered on exit, so the register-to-register path is one
    multiply-add, like one Horner stage. The stream handshake is the same
    global stall as the sigmoid designs (every register holds while
    ``o.valid & ~o.ready``), so the clock-enable cost is included too.

    Parameters
    ----------
    a_width, b_width : int
        Operand widths.
    c_width : int or None
        Addend width; ``a_width + b_width`` by default.
    signed : bool
        Two's complement operands (the default) or unsigned.

    Members
    -------
    i : In(stream.Signature(StructLayout({"a", "b", "c"})))
    o : Out(stream.Signature(a_width + b_width + 1 bits))
    """

    def __new__(cls, a_width, b_width, c_width=None, *, signed=True):
        # Validate before the object exists: a component whose parameters are wrong is
        # never made, so it cannot be reported as "created but never used".
        _check_parameters(a_width, b_width, c_width, signed)
        return super().__new__(cls, src_loc_at=1)   # the warning names our caller's line

    def __init__(self, a_width, b_width, c_width=None, *, signed=True):
        self._a_width, self._b_width, self._c_width, self._signed = _check_parameters(
            a_width, b_width, c_width, signed)
        shape = _signed_shape if signed else unsigned
        self._shape = shape
        p_width = max(self._a_width + self._b_width, self._c_width) + 1
        super().__init__({
            "i": In(stream.Signature(data.StructLayout({
                "a": shape(self._a_width),
                "b": shape(self._b_width),
                "c": shape(self._c_width),
            }))),
            "o": Out(stream.Signature(shape(p_width))),
        })

    @property
    def a_width(self):
        return self._a_width

    @property
    def b_width(self):
        return self._b_width

    @property
    def c_width(self):
        return self._c_width

    @property
    def is_signed(self):
        return self._signed

    @property
    def latency(self):
        return 2

    def elaborate(self, platform):
        m = Module()
        stall = self.o.valid & ~self.o.ready
        m.d.comb += self.i.ready.eq(~stall)

        a = Signal(self._shape(self._a_width))
        b = Signal(self._shape(self._b_width))
        c = Signal(self._shape(self._c_width))
        p = Signal.like(self.o.payload)
        valid1 = Signal()
        valid2 = Signal()
        with m.If(~stall):
            m.d.sync += [
                a.eq(self.i.payload.a),
                b.eq(self.i.payload.b),
                c.eq(self.i.payload.c),
                valid1.eq(self.i.valid),
                p.eq(a * b + c),
                valid2.eq(valid1),
            ]
        m.d.comb += [
            self.o.valid.eq(valid2),
            self.o.payload.eq(p),
        ]
        return m

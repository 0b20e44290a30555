"""The device's own limits, independent of any sigmoid: one registered multiply, one registered add.

``sigmoid-hw compare`` implements these with the same flow and seed as the
designs and divides each design's Fmax by ``dsp-limit`` (``vs_limit``).

- ``RegisteredMultiply(width)``: ``p = a * b``, ``width`` x ``width`` signed,
  operands registered on entry, the product registered, and registered once
  more on exit, so that every register the DSP block has (input, pipeline,
  output) can take one and none of the harness's is pulled into it (Yosys's
  ``ice40_dsp`` otherwise takes the harness's capture register as the
  SB_MAC16 output register): the device's native multiplier (18 x 18 in one MULT18X18D on ECP5, 16 x 16 in
  one SB_MAC16 on the UP5K, 16 x 16 in logic on the HX8K).
- ``RegisteredAdd(width)``: ``s = a + b``, ``width`` bits, registered the
  same way: one carry chain.

The registers run free (no clock enable): the limit is the arithmetic block,
not a handshake. ``o.valid`` follows ``i.valid`` ``latency`` clocks later and
``i.ready`` is always high; a word the consumer does not take is lost, so
these are measuring circuits, not stream components to build with.
"""

import numbers

from amaranth import *
from amaranth.lib import wiring, stream, data
from amaranth.lib.wiring import In, Out

__all__ = ["RegisteredMultiply", "RegisteredAdd", "NATIVE_MULTIPLY_WIDTH", "ADD_WIDTH"]

# One registered multiply of the device's native width (see the module docstring).
NATIVE_MULTIPLY_WIDTH = {"ecp5": 18, "ice40-up": 16, "ice40-hx": 16,
                         "gowin-gw1n": 18, "gowin-gw2a": 18}   # Gowin: one MULT18X18
ADD_WIDTH = 32


def _check_width(value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise TypeError("width must be a positive integer, not {!r}".format(value))
    return int(value)


class _Registered(wiring.Component):
    """``o = op(a, b)`` between a row of input registers and an output register."""

    def __new__(cls, width):
        _check_width(width)   # a component with a wrong width is never made
        return super().__new__(cls, src_loc_at=1)

    def __init__(self, width):
        self._width = _check_width(width)
        shape = signed(width)
        super().__init__({
            "i": In(stream.Signature(data.StructLayout({"a": shape, "b": shape}))),
            "o": Out(stream.Signature(self._result_shape(width))),
        })

    @property
    def width(self):
        return self._width

    @property
    def latency(self):
        return 2 + self._extra

    def elaborate(self, platform):
        m = Module()
        a = Signal(signed(self._width), reset_less=True)
        b = Signal(signed(self._width), reset_less=True)
        p = Signal.like(self.o.payload, reset_less=True)
        valid = Signal(self.latency)
        m.d.comb += self.i.ready.eq(1)
        m.d.sync += [a.eq(self.i.payload.a), b.eq(self.i.payload.b), p.eq(self._op(a, b)),
                     valid.eq(Cat(self.i.valid, valid[:-1]))]
        out = p
        for _ in range(self._extra):
            q = Signal.like(p, reset_less=True)
            m.d.sync += q.eq(out)
            out = q
        m.d.comb += [self.o.valid.eq(valid[-1]), self.o.payload.eq(out)]
        return m


class RegisteredMultiply(_Registered):
    """``p = a * b``, signed ``width`` x ``width`` -> ``2 width`` bits, registered in and out.

    Parameters
    ----------
    width : int
    """

    _extra = 1

    @staticmethod
    def _result_shape(width):
        return signed(2 * width)

    @staticmethod
    def _op(a, b):
        return a * b


class RegisteredAdd(_Registered):
    """``s = a + b``, ``width`` bits (wrapping), registered in and out.

    Parameters
    ----------
    width : int
    """

    _extra = 0

    @staticmethod
    def _result_shape(width):
        return signed(width)

    @staticmethod
    def _op(a, b):
        return a + b

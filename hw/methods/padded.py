"""``Padded``: a method unit computed ``drop_bits`` bits short, its output shifted into place.

For an accuracy of ``2^p`` ulp a unit need not compute the last ``p`` bits:
a faithful unit of ``W - p`` bits, its output shifted left by ``p`` (zeros
below), is within ``2^p`` ulp of ``f`` at ``W`` bits, since every output
format of ``sigmoid_hw.model.exact.function`` keeps its integer bits as ``W`` changes
(``f_out`` drops by ``p``). The shift is wiring: no logic, no register.
"""

from amaranth import *
from amaranth.lib import wiring, stream
from amaranth.lib.wiring import In, Out

from sigmoid_hw.model.validate import check_int

__all__ = ["Padded"]


class Padded(wiring.Component):
    """``unit`` (a ``FoldedUnit`` of ``W - drop_bits`` output bits) as a ``W``-bit unit.

    Parameters
    ----------
    unit : FoldedUnit
    drop_bits : int
        ``p`` >= 1.
    output_format : SQ or UQ
        The ``W``-bit format: the unit's with ``p`` more fraction bits.

    Members
    -------
    i, o : the unit's input stream, and its output ``<< p``.
    """

    def __init__(self, unit, drop_bits, output_format):
        self._drop = check_int("drop_bits", drop_bits, 1, 30)
        inner = unit.output_format
        if (output_format.i_bits, output_format.f_bits, output_format.signed) != \
                (inner.i_bits, inner.f_bits + self._drop, inner.signed):
            raise ValueError("output_format {!r} is not {!r} with {} more fraction bits"
                             .format(output_format, inner, self._drop))
        self._unit = unit
        self._format = output_format
        shape = (signed if output_format.signed else unsigned)(output_format.width)
        super().__init__({
            "i": In(stream.Signature(signed(unit.input_format.width))),
            "o": Out(stream.Signature(shape)),
        })

    unit = property(lambda self: self._unit)
    drop_bits = property(lambda self: self._drop)
    output_format = property(lambda self: self._format)
    input_format = property(lambda self: self._unit.input_format)
    latency = property(lambda self: self._unit.latency)
    initiation_interval = property(lambda self: self._unit.initiation_interval)
    registers = property(lambda self: self._unit.registers)
    plan = property(lambda self: self._unit.plan)
    function = property(lambda self: self._unit.function)
    rounding = property(lambda self: self._unit.rounding)

    def elaborate(self, platform):
        m = Module()
        m.submodules.unit = unit = self._unit
        m.d.comb += [
            unit.i.payload.eq(self.i.payload),
            unit.i.valid.eq(self.i.valid),
            self.i.ready.eq(unit.i.ready),
            self.o.payload.eq(unit.o.payload << self._drop),
            self.o.valid.eq(unit.o.valid),
            unit.o.ready.eq(self.o.ready),
        ]
        return m

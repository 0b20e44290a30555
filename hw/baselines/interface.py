"""The interface every comparison design shares: SQ(4,12) in, one 16-bit output format, as streams."""

from amaranth import *
from amaranth.lib import wiring, stream
from amaranth.lib.wiring import In, Out

from sigmoid_hw.model.baselines import INPUT_FORMAT, OUTPUT_FORMAT, TANH_OUTPUT_FORMAT
from sigmoid_hw.model.fixed import FixedFormat

__all__ = ["Baseline", "BaselineSigmoid", "BaselineTanh"]


class Baseline(wiring.Component):
    """Base of the comparison designs: raw SQ(4, 12) in, raw ``output_format`` out.

    Parameters
    ----------
    output_format : FixedFormat
        What the output's raw integers mean (``UQ(0, 16)`` for a sigmoid,
        ``SQ(1, 15)`` for tanh); a signed format gives a signed payload.

    Members
    -------
    i : In(stream.Signature(signed(16)))
        Raw SQ(4, 12) input.
    o : Out(stream.Signature(unsigned(width) or signed(width)))
        Raw ``output_format`` output.

    Raises
    ------
    TypeError
        If ``output_format`` is not an ``SQ`` or ``UQ`` format.
    """

    def __init__(self, output_format):
        if not isinstance(output_format, FixedFormat):
            raise TypeError("output_format must be an SQ or UQ format, not {!r}"
                            .format(output_format))
        self._output_format = output_format
        shape = (signed if output_format.signed else unsigned)(output_format.width)
        super().__init__({
            "i": In(stream.Signature(signed(INPUT_FORMAT.width))),
            "o": Out(stream.Signature(shape)),
        })

    @property
    def input_format(self):
        return INPUT_FORMAT

    def global_stall(self, m):
        """The stall every register of a baseline holds on: ``o`` has a word not taken.

        Drives ``i.ready`` (its complement) in ``m`` and returns the stall.
        """
        stall = self.o.valid & ~self.o.ready
        m.d.comb += self.i.ready.eq(~stall)
        return stall

    @staticmethod
    def delay_line(m, stall, first, depth, name):
        """``depth`` registers, the first loaded from ``first``, each from the one before.

        All hold while ``stall``; returns the list (register k is ``first`` k+1
        cycles late).
        """
        line = [Signal(name="{}{}".format(name, n)) for n in range(1, depth + 1)]
        with m.If(~stall):
            m.d.sync += line[0].eq(first)
            m.d.sync += [line[n].eq(line[n - 1]) for n in range(1, depth)]
        return line

    @property
    def output_format(self):
        return self._output_format


class BaselineSigmoid(Baseline):
    """A comparison sigmoid: SQ(4, 12) in, UQ(0, 16) out (y = raw / 65536)."""

    def __init__(self):
        super().__init__(OUTPUT_FORMAT)


class BaselineTanh(Baseline):
    """A comparison tanh: SQ(4, 12) in, SQ(1, 15) out (y = raw / 32768)."""

    def __init__(self):
        super().__init__(TANH_OUTPUT_FORMAT)

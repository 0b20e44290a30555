"""The interface every comparison design shares: SQ(4,12) in, UQ(0,16) out, as streams."""

from amaranth import *
from amaranth.lib import wiring, stream
from amaranth.lib.wiring import In, Out

from model.baselines import INPUT_FORMAT, OUTPUT_BITS

__all__ = ["BaselineSigmoid"]


class BaselineSigmoid(wiring.Component):
    """Base of the comparison designs: the default pipeline's interface, fixed.

    Members
    -------
    i : In(stream.Signature(signed(16)))
        Raw SQ(4, 12) input.
    o : Out(stream.Signature(unsigned(16)))
        Raw UQ(0, 16) output.
    """

    i: In(stream.Signature(signed(INPUT_FORMAT.width)))
    o: Out(stream.Signature(unsigned(OUTPUT_BITS)))

"""Skip the sigmoid: decide ``sigmoid(x) > t`` with one comparison, ``x >= L``.

The limit L comes from ``sigmoid_hw.model.threshold.threshold_limit``, which computes it
exactly; the gateware only compares. L is one bit wider than the input so
that ``max + 1`` (no input passes, e.g. t >= 1) is representable; L = min
lets every input pass.
"""

from amaranth import *
from amaranth.lib import wiring, stream
from amaranth.lib.wiring import In, Out

from sigmoid_hw.model.fixed import FixedFormat, SQ
from sigmoid_hw.model.threshold import threshold_limit
from sigmoid_hw.model.validate import check_instance

__all__ = ["ThresholdComparator", "check_threshold_format", "limit_port_shape", "compile_limit"]


def check_threshold_format(input_format):
    """Validate the input format of a comparator; return it."""
    return check_instance("input_format", input_format, FixedFormat,
                          "a fixed-point format such as SQ(4, 12)")


def _input_shape(fmt):
    return signed(fmt.width) if fmt.signed else unsigned(fmt.width)


def limit_port_shape(input_format):
    """The shape of a limit: the input's, one bit wider (to hold ``max + 1``)."""
    fmt = check_threshold_format(input_format)
    return signed(fmt.width + 1) if fmt.signed else unsigned(fmt.width + 1)


def compile_limit(threshold, input_format):
    """The limit for a compile-time ``threshold`` (``None`` for a runtime one).

    Raises the errors of ``threshold_limit`` for a bad threshold.
    """
    if threshold is None:
        return None
    return threshold_limit(threshold, input_format)


class ThresholdComparator(wiring.Component):
    """One decision ``sigmoid(x) > t`` per clock, as the comparison ``x >= L``.

    Parameters
    ----------
    input_format : FixedFormat
        Format of ``x``; ``SQ(4, 12)`` by default.
    threshold : number, (raw, format) or None
        The threshold t in any form ``sigmoid_hw.model.threshold.threshold_limit``
        accepts; L is computed exactly at elaboration. ``None`` makes the
        limit programmable at run time through the ``limit`` port.

    Members
    -------
    i : In(stream.Signature(signed(W)))
        The input ``x`` (raw, ``unsigned(W)`` for a UQ format).
    o : Out(stream.Signature(1))
        The decision: 1 when ``sigmoid(x) > t``.
    limit : In(signed(W + 1))
        Only with ``threshold=None``: the limit L, as given by
        ``threshold_limit(t, input_format)``. The host holds it steady; an
        input is compared with the value ``limit`` has in the cycle the input
        is accepted, so a new value applies to every input accepted after it
        is set (reprogram between streams, or at any item boundary).

    Latency is 1 cycle (one register holding the decision). Backpressure
    follows amaranth.lib.stream: ``i.ready`` is high while the output register
    is empty or being taken, so one decision per clock passes while
    ``o.ready`` is high, and a stalled decision is held, never lost.

    Raises
    ------
    TypeError
        For an input format that is not a ``FixedFormat``, or a threshold of
        the wrong type.
    ValueError
        For a NaN or complex threshold.
    """

    def __init__(self, input_format=SQ(4, 12), threshold=0.5):
        self._input_format = check_threshold_format(input_format)
        self._limit_value = compile_limit(threshold, self._input_format)
        self._threshold = threshold
        members = {
            "i": In(stream.Signature(_input_shape(self._input_format))),
            "o": Out(stream.Signature(1)),
        }
        if threshold is None:
            members["limit"] = In(limit_port_shape(self._input_format))
        super().__init__(members)

    @property
    def input_format(self):
        return self._input_format

    @property
    def threshold(self):
        return self._threshold

    @property
    def limit_value(self):
        """The compile-time limit L, or ``None`` when it is programmable."""
        return self._limit_value

    @property
    def latency(self):
        """Cycles from an accepted input to its decision on ``o`` (1)."""
        return 1

    def elaborate(self, platform):
        m = Module()
        if self._limit_value is None:
            limit = self.limit
        else:
            limit = Const(self._limit_value, limit_port_shape(self._input_format))
        m.d.comb += self.i.ready.eq(~self.o.valid | self.o.ready)
        with m.If(self.i.valid & self.i.ready):
            m.d.sync += [
                self.o.payload.eq(self.i.payload >= limit),
                self.o.valid.eq(1),
            ]
        with m.Elif(self.o.ready):
            m.d.sync += self.o.valid.eq(0)
        return m

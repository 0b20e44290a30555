"""An out-of-context harness: registers at every port of a component, four pins in all.

To measure a core rather than the pads, every port of the component is
driven by, or captured into, a register, and the top has only four ports:
``clk``, ``rst``, ``din`` and ``dout``.

- Every input bit of the component (``i.payload``, ``i.valid``, ``o.ready``
  and any other ``In`` port, in signature order) is one stage of a shift
  register fed serially from ``din``. The values are unknown to the
  synthesizer, so no input can be treated as a constant.
- Every output bit (``o.payload``, ``o.valid``, ``i.ready``, ...) is captured
  in a register, straight from the component's output (no logic between).
  The captured bits are folded into ``dout`` by a pipelined XOR tree, four
  bits per LUT and a register after each level, so every output stays
  observable and no harness path is longer than one LUT: the longest
  register-to-register path, hence Fmax, is the core's own.
- ``rst`` is registered once and drives the core's synchronous reset, as a
  power-on reset would on a board (its fan-out is part of the measurement).
  The harness's own registers have no reset.

What this cannot keep: an output bit that is constant, or two output bits
that the synthesizer proves equal (their XOR cancels), take their logic with
them. For a datapath that is logic which is not needed anyway.

The harness adds ``boundary_ffs`` flip-flops (input chain, capture registers,
XOR tree, reset register); implementation reports count them in ``ffs`` and
give the number separately.
"""

from amaranth import *
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out
from amaranth.back import rtlil

from sigmoid_hw.hw.dsp import PRIMITIVES

__all__ = ["OutOfContextHarness", "harness_rtlil"]

_FOLD = 4  # inputs per XOR: one LUT4


class OutOfContextHarness(wiring.Component):
    """Wrap ``component`` so that all its ports are registered and only four pins remain.

    Parameters
    ----------
    component : wiring.Component
        Any component in the ``sync`` domain (a stream stage, a comparator, a
        whole pipeline).

    Members
    -------
    clk, rst, din : In(1)
    dout : Out(1)
    """

    clk: In(1)
    rst: In(1)
    din: In(1)
    dout: Out(1)

    def __init__(self, component):
        if not isinstance(component, wiring.Component):
            raise TypeError("Component must be a wiring.Component, not {!r}".format(component))
        self._component = component
        self._inputs = []
        self._outputs = []
        for path, member, value in component.signature.flatten(component):
            (self._inputs if member.flow == In else self._outputs).append((path, value))
        if not self._outputs:
            raise ValueError("Component {!r} has no output port to observe".format(component))
        super().__init__()

    @property
    def component(self):
        return self._component

    @property
    def input_bits(self):
        return sum(len(Value.cast(v)) for _, v in self._inputs)

    @property
    def output_bits(self):
        return sum(len(Value.cast(v)) for _, v in self._outputs)

    @property
    def boundary_ffs(self):
        """Flip-flops the harness adds around the component."""
        count, width = self.output_bits, self.output_bits
        while width > 1:
            width = -(-width // _FOLD)
            count += width
        return self.input_bits + count + 1  # + reset register

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = ClockDomain("sync")
        m.d.comb += ClockSignal("sync").eq(self.clk)
        rst_q = Signal(reset_less=True)
        m.d.sync += rst_q.eq(self.rst)
        m.d.comb += ResetSignal("sync").eq(rst_q)

        m.submodules.core = self._component

        if self.input_bits:
            chain = Signal(self.input_bits, reset_less=True)
            m.d.sync += chain.eq(Cat(self.din, chain[:-1]))
            offset = 0
            for _, value in self._inputs:
                width = len(Value.cast(value))
                m.d.comb += value.eq(chain[offset:offset + width])
                offset += width

        level = Signal(self.output_bits, reset_less=True)
        m.d.sync += level.eq(Cat(*(v for _, v in self._outputs)))
        while len(level) > 1:
            folded = Signal(-(-len(level) // _FOLD), reset_less=True)
            for k in range(len(folded)):
                m.d.sync += folded[k].eq(level[k * _FOLD:(k + 1) * _FOLD].xor())
            level = folded
        m.d.comb += self.dout.eq(level)
        return m


def harness_rtlil(component, name="top"):
    """RTLIL text of ``OutOfContextHarness(component)`` with top module ``name``.

    Returns ``(text, harness)``.
    """
    harness = OutOfContextHarness(component)
    # elaborated for synthesis: a component that can use vendor primitives does (sigmoid_hw.hw.dsp)
    return rtlil.convert(harness, name=name, platform=PRIMITIVES), harness

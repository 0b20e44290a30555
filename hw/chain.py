"""Registered stages with one shared stall, and the register map that describes them.

Every pipeline in ``hw/`` is a chain of registers with one handshake, a
global stall: ``stall = o.valid & ~o.ready`` (the last register holds a word
nobody takes). While it is high every register holds; otherwise every
register advances, and ``i.ready = ~stall``. So a chain accepts one word per
clock while its output is taken and never drops, repeats or reorders a word.
A component made of several chains passes them one stall signal (the
constructor argument ``stall``), so the enable of every register is one LUT
from ``o.valid`` and ``o.ready``, not a chain through the stages (which
limited the iCE40 build to 37 MHz). The price: bubbles inside the pipeline
are not squeezed out while the output is stalled.

At a target frequency (``sigmoid_hw.hw.timing``) the stall's fan-out (every register's
enable and the DSP blocks' clock enables) would itself be the longest path,
so there the datapath runs free (its stall is tied low: no enables at all)
and ends in a ``CreditBuffer`` (``sigmoid_hw.hw.credit``): a block-RAM buffer with room
for every word that may be inside, and a count of the words accepted but not
yet delivered. A word is accepted only while that count is below the
buffer's credit, so nothing is ever dropped; every flag of the buffer is a
register or one LUT from registers.

The registers are created when the chain is constructed, not when it is
elaborated, and each is described by a ``Register`` record: waveforms,
formal proofs and exports read ``component.registers`` instead of searching
for signals by name.
"""

from dataclasses import dataclass

from amaranth import *
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.credit import CreditBuffer   # the credit handshake's buffer (re-exported)

__all__ = ["Register", "StageChain", "ChainStage", "CreditBuffer", "stage_registers"]


@dataclass(frozen=True)
class Register:
    """One field of one pipeline register, or its valid bit.

    Members
    -------
    stage : int
        Position of the register in its component's pipeline, from 1.
    group : str
        The stage component it belongs to (``"fold"``, ``"horner"``, ...).
    name : str
        The field (``"a"``, ``"acc"``, ``"c.c1"``), or ``"valid"``.
    signal : Signal
        The register's signal (the whole payload for a field).
    value : Value
        The field itself (``signal`` for the valid bit).
    signed : bool
    f_bits : int or None
        The raw value means ``raw * 2^-f_bits``; ``None`` for bits and
        integers (sign, n, thermometer codes). A register's format is
        (signed, f_bits) rather than an ``SQ``/``UQ``: a Horner accumulator
        may have more fraction bits than bits (``i_bits`` below zero).
    """
    stage: int
    group: str
    name: str
    signal: object
    value: object
    signed: bool
    f_bits: object


def _leaves(layout, prefix=""):
    for name, member in layout.members.items():
        path = prefix + name
        if isinstance(member, data.StructLayout):
            yield from _leaves(member, path + ".")
        else:
            yield path, member


def _field(view, path):
    for part in path.split("."):
        view = view[part]
    return view


class StageChain:
    """``len(layouts)`` registers in a row, each holding one payload ``layout``.

    Parameters
    ----------
    group : str
        Name of the owning stage component (for the register map).
    layouts : list of StructLayout
        The payload of each register, in order.
    f_bits : dict or list of dict, optional
        ``field -> fraction bits`` for fields that are fixed-point numbers: one
        dict for every register, or a list with one dict per register.
    first_stage : int
        Pipeline position of the first register (the owner's offset).

    Members
    -------
    registers : tuple of Register
    """

    def __init__(self, group, layouts, f_bits=None, first_stage=1):
        self._group = group
        self._regs = []
        for index, layout in enumerate(layouts):
            valid = Signal(name="s{}_valid".format(index + 1))
            # no reset on data: only the valid bits need one, and reset-less registers can
            # be absorbed into the DSP blocks (SB_MAC16, MULT18X18D)
            payload = Signal(layout, name="s{}".format(index + 1), reset_less=True)
            self._regs.append((valid, payload))
        f_bits = f_bits or {}
        if isinstance(f_bits, dict):
            f_bits = [f_bits] * len(layouts)
        if len(f_bits) != len(layouts):
            raise ValueError("f_bits must give one dict per register ({}), not {}"
                             .format(len(layouts), len(f_bits)))
        registers = []
        for index, (valid, payload) in enumerate(self._regs):
            stage = first_stage + index
            registers.append(Register(stage, group, "valid", valid, valid, False, None))
            for path, shape in _leaves(payload.shape()):
                signed = Shape.cast(shape).signed
                registers.append(Register(stage, group, path, payload,
                                          Value.cast(_field(payload, path)), signed,
                                          f_bits[index].get(path)))
        self.registers = tuple(registers)

    def __len__(self):
        return len(self._regs)

    @property
    def payloads(self):
        """The payload signals, in order."""
        return [payload for _, payload in self._regs]

    def build(self, m, i, o, functions, stall=None):
        """Add the registers' logic between stream ``i`` and stream ``o`` to module ``m``.

        ``functions[k](m, previous_payload) -> dict`` gives register k's fields
        from the previous payload combinationally; a dict value fills a nested
        struct field. ``stall`` is the shared stall signal, or ``None`` to
        derive it from this chain's own output.
        """
        if len(functions) != len(self._regs):
            raise ValueError("functions must give one function per register ({}), not {}"
                             .format(len(self._regs), len(functions)))
        if stall is None:
            stall = Signal(name="stall")
            m.d.comb += stall.eq(self._regs[-1][0] & ~o.ready)
        m.d.comb += i.ready.eq(~stall)
        prev_valid, prev_payload = i.valid, i.payload
        for (valid, payload), fn in zip(self._regs, functions):
            fields = fn(m, prev_payload)
            with m.If(~stall):
                m.d.sync += valid.eq(prev_valid)
                for name, value in fields.items():
                    if isinstance(value, dict):
                        for sub, v in value.items():
                            m.d.sync += payload[name][sub].eq(v)
                    else:
                        m.d.sync += payload[name].eq(value)
            prev_valid, prev_payload = valid, payload
        m.d.comb += [o.valid.eq(self._regs[-1][0]), o.payload.eq(self._regs[-1][1])]


def stage_registers(stages):
    """The register map of components run one after another, renumbered in pipeline order.

    ``stages`` are objects with ``registers`` (numbered from 1 each) and
    ``latency``; the result numbers them 1 .. total latency.
    """
    out = []
    offset = 0
    for stage in stages:
        for r in stage.registers:
            out.append(Register(r.stage + offset, r.group, r.name, r.signal, r.value, r.signed,
                                r.f_bits))
        offset += stage.latency
    return tuple(out)


class ChainStage(wiring.Component):
    """Base of the pipeline's stage components: a ``StageChain`` and its stall.

    A subclass calls ``super().__init__(signature, chain, stall)`` and builds
    the chain in ``elaborate`` with ``self.build(m, functions)``.

    Members
    -------
    latency : int
        Registers from ``i`` to ``o``.
    registers : tuple of Register
    """

    def __init__(self, signature, chain, stall=None):
        self._chain = chain
        self._stall = stall
        super().__init__(signature)

    @property
    def latency(self):
        return len(self._chain)

    @property
    def registers(self):
        return self._chain.registers

    def build(self, m, functions):
        self._chain.build(m, self.i, self.o, functions, self._stall)

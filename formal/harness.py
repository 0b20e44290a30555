"""Formal harnesses: the properties as Amaranth ``Assert``/``Assume`` around the real components.

Each harness is an ``Elaboratable`` whose free inputs (``i.valid``,
``i.payload``, ``o.ready``, the ``sync`` reset, a runtime limit) are ports,
so the prover chooses them freely in every cycle. The properties are proved
for every input sequence and every reset sequence: the harness's own
bookkeeping registers are in the same ``sync`` domain and are reset with the
design.

``formal/run.py`` converts a harness to RTLIL and proves every ``Assert`` in
it by temporal induction with Yosys's SAT solver (``sat -tempinduct``).

The invariants that make the proofs 1-inductive need the stage registers'
valid bits. They come from the design's register map
(``component.registers``, ``sigmoid_hw.hw.chain.Register``), which names them when the
component is constructed; ``stage_valids`` checks that there is one per
cycle of latency, so a design whose map were incomplete could not make a
proof vacuous.
"""

from amaranth import *
from amaranth.hdl import Assert, Assume
from amaranth.lib import wiring, stream, data
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.chain import ChainStage, StageChain, stage_registers

__all__ = ["stage_valids", "StreamContract", "CreditContract", "TokenSkeleton",
           "ComparatorContract"]


def stage_valids(dut):
    """The valid bits of ``dut``'s registers, in pipeline order (``dut.registers``).

    Raises
    ------
    ValueError
        If there is not exactly one valid bit per cycle of ``dut.latency``.
    """
    valids = sorted((r.stage, r.value) for r in dut.registers if r.name == "valid")
    if [stage for stage, _ in valids] != list(range(1, dut.latency + 1)):
        raise ValueError("the register map of {!r} has valid bits for stages {}, expected "
                         "one for each of 1 .. {} (its latency)".format(
                             dut, [stage for stage, _ in valids], dut.latency))
    return [value for _, value in valids]


def _count(bits, width):
    total = Const(0, width)
    for b in bits:
        total = total + b
    return total[:width]



def _stream_rules(m, i, o, props):
    """Assert the output stream rule ("rule") and "o.ready implies i.ready" ("ready")."""
    if "rule" in props:
        stalled = Signal()
        held = Signal.like(Value.cast(o.payload))
        m.d.sync += [stalled.eq(o.valid & ~o.ready), held.eq(o.payload)]
        with m.If(stalled):
            m.d.comb += [Assert(o.valid, "o.valid fell before the word was taken"),
                         Assert(Value.cast(o.payload) == held,
                                "o.payload changed while not taken")]
    if "ready" in props:
        m.d.comb += Assert(~o.ready | i.ready, "i.ready low while o.ready is high")

class StreamContract(Elaboratable):
    """The stream contract of a pipelined component, over its real valid registers.

    Asserted, with ``v_1 .. v_D`` the stage valids and ``D`` their number:

    * ``rule``: once ``o.valid`` is high and ``o.ready`` low, in the next cycle
      ``o.valid`` is still high and ``o.payload`` unchanged (unless reset);
    * ``ready``: ``o.ready`` high implies ``i.ready`` high (one word per clock
      when the consumer takes every word; nothing can deadlock);
    * ``count``: accepted - delivered (counted by the harness) equals
      ``v_1 + ... + v_D`` (nothing is lost or duplicated inside; at most D
      words in flight);
    * ``response``: while a word is inside, at most ``D - 1`` cycles with
      ``o.ready`` high pass without an output (so every accepted word is
      offered within D ready cycles: with a consumer that is ready infinitely
      often, nothing accepted is left behind). Strengthened by
      ``waited <= pos - 1``, pos the highest occupied stage.

    ``properties`` chooses which of these are asserted (the others are not
    needed as invariants: each is 1-inductive on its own).
    """

    ALL = ("rule", "ready", "count", "response")

    def __init__(self, dut, properties=ALL, extra_ports=()):
        self.dut = dut
        self.properties = tuple(properties)
        self.extra_ports = list(extra_ports)
        self.depth = None

    def ports(self):
        dut = self.dut
        return [dut.i.valid, Value.cast(dut.i.payload), dut.o.ready, dut.i.ready, dut.o.valid,
                Value.cast(dut.o.payload)] + self.extra_ports

    def elaborate(self, platform):
        m = Module()
        dut = self.dut
        m.submodules.dut = dut
        valids = stage_valids(dut)
        self.depth = depth = len(valids)
        i, o = dut.i, dut.o
        props = self.properties

        _stream_rules(m, i, o, props)
        if "count" in props or "response" in props:
            width = max(depth.bit_length() + 2, 4)
            accepted = Signal(width)
            delivered = Signal(width)
            occupancy = Signal(width)
            with m.If(i.valid & i.ready):
                m.d.sync += accepted.eq(accepted + 1)
            with m.If(o.valid & o.ready):
                m.d.sync += delivered.eq(delivered + 1)
            m.d.comb += occupancy.eq(accepted - delivered)
            m.d.comb += Assert(occupancy == _count(valids, width),
                               "accepted - delivered differs from the words in flight")
        if "response" in props:
            waited = Signal(range(depth + 2))
            with m.If((o.valid & o.ready) | (occupancy == 0)):
                m.d.sync += waited.eq(0)
            with m.Elif(o.ready):
                m.d.sync += waited.eq(waited + 1)
            m.d.comb += Assert(waited <= depth - 1,
                               "a word waited more than D ready cycles")
            # invariant: the oldest word (highest occupied stage k) is ahead of waited
            for k, v in enumerate(valids, start=1):
                later = valids[k:]
                newest = v & ~(Cat(*later).any() if later else Const(0))
                with m.If(newest):
                    m.d.comb += Assert(waited <= k - 1, "oldest word behind its wait count")
        return m


class CreditContract(Elaboratable):
    """The stream contract of a pipeline with a target: a free-running datapath and its
    ``sigmoid_hw.hw.chain.CreditBuffer`` (``dut.stages[-1]``).

    Asserted, with ``v_1 .. v_L`` the datapath's stage valids (its register
    map) and ``level`` the words in the buffer's FIFO:

    * ``rule``: once ``o.valid`` is high and ``o.ready`` low, next cycle
      ``o.valid`` is high and ``o.payload`` unchanged (unless reset);
    * ``ready``: ``o.ready`` implies ``i.ready`` (in the next clock if the
      buffer's ``ready_lag`` is 1: its credit is one LUT from registers);
    * ``count``: accepted - delivered (counted by the harness) equals the
      buffer's credit counter, at most its credits, and ``v_1 + ... + v_L +
      level``: nothing lost or duplicated, and the counter the handshake
      trusts is right;
    * ``room``: a word that leaves the datapath always finds room in the FIFO
      (no overflow), strengthened by: ``buffer.offered_level`` words in the
      buffer put one on ``o``, and the buffer's ``invariants`` (its flag
      codes equal to its counters).
    """

    ALL = ("rule", "ready", "count", "room")

    def __init__(self, dut, properties=ALL):
        self.dut = dut
        self.properties = tuple(properties)

    def ports(self):
        dut = self.dut
        return [dut.i.valid, Value.cast(dut.i.payload), dut.o.ready, dut.i.ready, dut.o.valid,
                Value.cast(dut.o.payload)]

    def elaborate(self, platform):
        m = Module()
        dut = self.dut
        m.submodules.dut = dut
        buffer = dut.stages[-1][1]
        depth = dut.latency - buffer.latency
        valids = sorted((r.stage, r.value) for r in dut.registers if r.name == "valid")
        if [stage for stage, _ in valids] != list(range(1, depth + 1)):
            raise ValueError("the register map of {!r} has valid bits for stages {}, expected "
                             "1 .. {} before its credit buffer".format(
                                 dut, [stage for stage, _ in valids], depth))
        valids = [v for _, v in valids]
        i, o = dut.i, dut.o
        props = self.properties
        lag = getattr(buffer, "ready_lag", 0)
        _stream_rules(m, i, o, [p for p in props if lag == 0 or p != "ready"])
        if lag and "ready" in props:
            # a registered credit: o.ready in one clock implies i.ready in the next
            was_ready = Signal()
            m.d.sync += was_ready.eq(o.ready)
            m.d.comb += Assert(~was_ready | i.ready, "i.ready low after a clock of o.ready")
        width = max((buffer.credits + 2).bit_length() + 2, 4)
        if "count" in props or "ready" in props or "room" in props:
            accepted = Signal(width)
            delivered = Signal(width)
            with m.If(i.valid & i.ready):
                m.d.sync += accepted.eq(accepted + 1)
            with m.If(o.valid & o.ready):
                m.d.sync += delivered.eq(delivered + 1)
            inside = Signal(width)
            m.d.comb += inside.eq(accepted - delivered)
            m.d.comb += [
                Assert(inside == buffer.count, "the credit counter is wrong"),
                Assert(buffer.count <= buffer.credits, "more words inside than credits"),
                Assert(inside == (_count(valids, width) + buffer.level)[:width],
                       "accepted - delivered differs from the words inside"),
                Assert((buffer.level < buffer.offered_level) | o.valid,
                       "words in the buffer and none offered"),
                Assert(~o.valid | (buffer.level != 0), "a word offered from an empty FIFO"),
            ]
        if "room" in props:
            m.d.comb += Assert(~buffer.i.valid | buffer.room, "the FIFO would overflow")
        # the buffer's own invariants (its flag codes against its counters), which make the
        # induction close
        for condition, message in getattr(buffer, "invariants", ()):
            m.d.comb += Assert(condition, message)
        return m


class _TokenStages(ChainStage):
    """``count`` registers of one ``StageChain`` whose datapath only carries a token."""

    def __init__(self, group, count, width, stall):
        self._layout = layout = data.StructLayout({"token": width})
        super().__init__({"i": In(stream.Signature(layout)), "o": Out(stream.Signature(layout))},
                         StageChain(group, [layout] * count), stall)

    def elaborate(self, platform):
        m = Module()
        self.build(m, [lambda m, p: {"token": p.token}] * self.latency)
        return m


class TokenSkeleton(Elaboratable):
    """The pipeline's control with the datapath cut, carrying a token instead of numbers.

    One ``sigmoid_hw.hw.chain.StageChain`` component per stage of the plan
    (``plan.stages``: ``(name, cycles)`` in pipeline order), chained with
    ``wiring.connect`` and sharing one stall ``o.valid & ~o.ready``, as in
    ``SigmoidPipeline``. The harness numbers the words it offers (token =
    words accepted so far, modulo 2^W) and asserts:

    * ``order``: ``o.valid`` implies ``o.payload.token`` = words delivered so far,
      i.e. the n-th word out is the n-th word in: nothing lost, duplicated or
      reordered, and nothing stale after a reset;

    strengthened by: accepted - delivered = words in flight, and every
    occupied stage k holds token ``delivered + (occupied stages after k)``.

    Parameters
    ----------
    stages : sequence of (str, int)
        ``plan.stages`` of a ``sigmoid_hw.model.plan.Plan``.
    """

    def __init__(self, stages):
        self.stages = tuple((name, int(cycles)) for name, cycles in stages)
        if not self.stages or any(cycles < 1 for _, cycles in self.stages):
            raise ValueError("stages must be (name, cycles) pairs with cycles >= 1, not {!r}"
                             .format(stages))
        self.depth = sum(cycles for _, cycles in self.stages)
        self.width = max(self.depth.bit_length() + 2, 4)
        layout = data.StructLayout({"token": self.width})
        self.i = stream.Signature(layout).flip().create(path=("i",))
        self.o = stream.Signature(layout).create(path=("o",))
        self._stall = Signal()
        self._parts = [_TokenStages(name, cycles, self.width, self._stall)
                       for name, cycles in self.stages]
        self.latency = self.depth
        self.registers = stage_registers(self._parts)

    def ports(self):
        return [self.i.valid, self.i.ready, self.o.valid, self.o.ready,
                Value.cast(self.o.payload)]

    def elaborate(self, platform):
        m = Module()
        W = self.width
        parts = self._parts
        for name, part in zip((name for name, _ in self.stages), parts):
            m.submodules[name] = part
        m.d.comb += self._stall.eq(self.o.valid & ~self.o.ready)
        for a, b in zip(parts, parts[1:]):
            wiring.connect(m, a.o, b.i)
        wiring.connect(m, wiring.flipped(self.i), parts[0].i)
        wiring.connect(m, parts[-1].o, wiring.flipped(self.o))
        valids = stage_valids(self)
        tokens = [r.value for r in self.registers if r.name == "token"]

        accepted = Signal(W)
        delivered = Signal(W)
        with m.If(self.i.valid & self.i.ready):
            m.d.sync += accepted.eq(accepted + 1)
        with m.If(self.o.valid & self.o.ready):
            m.d.sync += delivered.eq(delivered + 1)
        # the producer numbers its words
        m.d.comb += Assume(self.i.payload.token == accepted)

        m.d.comb += Assert(~self.o.valid | (self.o.payload.token == delivered),
                           "the word out is not the next word in")
        m.d.comb += Assert((accepted - delivered)[:W] == _count(valids, W),
                           "accepted - delivered differs from the words in flight")
        for k, (v, token) in enumerate(zip(valids, tokens)):
            ahead = _count(valids[k + 1:], W)
            with m.If(v):
                m.d.comb += Assert(token == (delivered + ahead)[:W],
                                   "stage {} holds the wrong token".format(k + 1))
        return m


class ComparatorContract(Elaboratable):
    """``ThresholdComparator``: the decision is ``x >= L`` for the x it accepted.

    The harness keeps the last accepted x (and, for a runtime limit, the
    limit in that cycle) and asserts ``o.valid -> o.payload == (x >= L)`` over
    the whole input space; plus the stream rule and ``o.ready -> i.ready``.
    ``limit`` overrides the constant compared with (a wrong one must fail).
    """

    def __init__(self, dut, limit=None):
        self.dut = dut
        self.limit = dut.limit_value if limit is None else limit

    def ports(self):
        dut = self.dut
        ports = [dut.i.valid, dut.i.payload, dut.o.ready, dut.i.ready, dut.o.valid,
                 dut.o.payload]
        if dut.limit_value is None:
            ports.append(dut.limit)
        return ports

    def elaborate(self, platform):
        m = Module()
        dut = m.submodules.dut = self.dut
        i, o = dut.i, dut.o
        runtime = dut.limit_value is None
        x = Signal.like(i.payload)
        lim = Signal(signed(len(i.payload) + 1))
        with m.If(i.valid & i.ready):
            m.d.sync += x.eq(i.payload)
            if runtime:
                m.d.sync += lim.eq(dut.limit)
        limit = lim if runtime else Const(self.limit, signed(len(i.payload) + 1))
        m.d.comb += Assert(~o.valid | (o.payload == (x >= limit)),
                           "decision differs from x >= L")
        stalled = Signal()
        held = Signal()
        m.d.sync += [stalled.eq(o.valid & ~o.ready), held.eq(o.payload)]
        with m.If(stalled):
            m.d.comb += [Assert(o.valid), Assert(o.payload == held)]
        m.d.comb += Assert(~o.ready | i.ready)
        return m

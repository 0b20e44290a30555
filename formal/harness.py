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
valid bits, which ``hw.stages._staged`` creates inside ``elaborate``. They
are found in the elaborated ``Fragment`` by name (``s<k>_valid``, the names
``_staged`` gives them), in pipeline order; ``stage_valids`` raises if the
count does not match the design's latency, so a renaming cannot make a
proof vacuous.
"""

import re

from amaranth import *
from amaranth.hdl import Assert, Assume, Fragment
from amaranth.lib import wiring, stream, data
from amaranth.lib.wiring import In, Out

from model.pipeline import plan_for
from hw.stages import _staged

__all__ = ["stage_valids", "StreamContract", "TokenSkeleton", "ComparatorContract",
           "skeleton_stage_counts"]

_VALID = re.compile(r"^s(\d+)_valid$")


def _assigned(statements, found):
    for statement in statements:
        for signal in statement._lhs_signals():
            found[id(signal)] = signal


def stage_valids(fragment):
    """The valid registers of every ``_staged`` stage under ``fragment``, in pipeline order.

    Subfragments are visited in the order they were added (the order of the
    chain in ``SigmoidPipeline`` and in ``TokenSkeleton``); within one
    fragment the stages are ``s1_valid``, ``s2_valid``, ...
    """
    found = {}
    _assigned(fragment.statements.get("sync", []), found)
    own = sorted((int(_VALID.match(s.name).group(1)), s) for s in found.values()
                 if _VALID.match(s.name))
    out = [s for _, s in own]
    for sub, _name, *_ in fragment.subfragments:
        out += stage_valids(sub)
    return out


def _stage_payloads(fragment):
    """Payload registers ``s<k>`` of every ``_staged`` stage, in pipeline order."""
    found = {}
    _assigned(fragment.statements.get("sync", []), found)
    own = sorted((int(s.name[1:]), s) for s in found.values() if re.fullmatch(r"s\d+", s.name))
    out = [s for _, s in own]
    for sub, _name, *_ in fragment.subfragments:
        out += _stage_payloads(sub)
    return out


def _count(bits, width):
    total = Const(0, width)
    for b in bits:
        total = total + b
    return total[:width]


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
        fragment = Fragment.get(dut, platform)
        m.submodules.dut = fragment
        valids = stage_valids(fragment)
        latency = getattr(dut, "latency", None)
        if latency is not None and len(valids) != latency:
            raise RuntimeError("found {} stage registers in {!r}, expected its latency {}"
                               .format(len(valids), dut, latency))
        if not valids:
            raise RuntimeError("no _staged stage registers found in {!r}".format(dut))
        self.depth = depth = len(valids)
        i, o = dut.i, dut.o
        props = self.properties

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


def skeleton_stage_counts(params):
    """Register stages per component of a ``SigmoidPipeline`` with ``params``, in chain order.

    SignFold 1, RangeReducer 2, [DerivedCoefficients], HornerEvaluator K + 1
    (2K + 1 with registered products), OutputStage 1; checked against
    ``params.latency``.
    """
    plan = plan_for(params)
    counts = [1, 2]
    if plan.coef_stages:
        counts.append(plan.coef_stages)
    horner = params.order + 1 + (params.order if getattr(params, "register_product", False)
                                 else 0)
    counts += [horner, 1]
    if sum(counts) != params.latency:
        raise RuntimeError("stage counts {} do not add up to the latency {}"
                           .format(counts, params.latency))
    return counts


class _TokenStages(wiring.Component):
    """``count`` stages of ``hw.stages._staged`` whose datapath only carries a token."""

    def __init__(self, count, width):
        self._count = count
        self._layout = data.StructLayout({"token": width})
        super().__init__({"i": In(stream.Signature(self._layout)),
                          "o": Out(stream.Signature(self._layout))})

    def elaborate(self, platform):
        m = Module()
        _staged(m, self.i, self.o,
                [(self._layout, lambda m, p: {"token": p.token})] * self._count)
        return m


class TokenSkeleton(Elaboratable):
    """The pipeline's control with the datapath cut: the same ``_staged`` stages per
    component and the same ``wiring.connect`` chain as ``SigmoidPipeline``, carrying a
    token instead of numbers. The harness numbers the words it offers
    (token = words accepted so far, modulo 2^W) and asserts:

    * ``order``: ``o.valid`` implies ``o.payload.token`` = words delivered so far,
      i.e. the n-th word out is the n-th word in: nothing lost, duplicated or
      reordered, and nothing stale after a reset;

    strengthened by: accepted - delivered = words in flight, and every
    occupied stage k holds token ``delivered + (occupied stages after k)``.
    """

    def __init__(self, stage_counts):
        self.stage_counts = list(stage_counts)
        self.depth = sum(self.stage_counts)
        self.width = max(self.depth.bit_length() + 2, 4)
        layout = data.StructLayout({"token": self.width})
        self.i = stream.Signature(layout).flip().create(path=("i",))
        self.o = stream.Signature(layout).create(path=("o",))

    def ports(self):
        return [self.i.valid, self.i.ready, self.o.valid, self.o.ready,
                Value.cast(self.o.payload)]

    def elaborate(self, platform):
        m = Module()
        W = self.width
        chain = Module()
        parts = [_TokenStages(n, W) for n in self.stage_counts]
        for k, part in enumerate(parts):
            chain.submodules["part{}".format(k)] = part
        for a, b in zip(parts, parts[1:]):
            wiring.connect(chain, a.o, b.i)
        wiring.connect(chain, wiring.flipped(self.i), parts[0].i)
        wiring.connect(chain, parts[-1].o, wiring.flipped(self.o))
        fragment = Fragment.get(chain, platform)
        m.submodules.chain = fragment
        valids = stage_valids(fragment)
        payloads = _stage_payloads(fragment)
        assert len(valids) == len(payloads) == self.depth

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
        for k, (v, p) in enumerate(zip(valids, payloads)):
            ahead = _count(valids[k + 1:], W)
            with m.If(v):
                # p is the register under the one-field struct: the token itself
                m.d.comb += Assert(p[:W] == (delivered + ahead)[:W],
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

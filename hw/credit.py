"""The end of a free-running datapath: a block-RAM buffer and its credit, with registered flags only.

``CreditBuffer(shape, depth)`` takes every word a free-running datapath of
``depth`` registers delivers, and gives the datapath's producer a credit:
words are accepted only while fewer than ``credits`` are inside (in the
datapath or here), so nothing is ever dropped.

What it replaces: ``amaranth.lib.fifo.SyncFIFOBuffered`` behind a binary
counter. There, ``o.ready`` went through the FIFO's level computation into
the read enable and back to the output register's valid (4 LUTs and 5 nets,
15 ns on the UP5K, the critical path of every UP5K build at 100 MHz and
above), and the credit compared a binary counter with a constant. Here no
path goes through a level computation or a counter: every decision is one
or two LUTs from registers.

- The words are written into a block RAM (``wp``) as they arrive, and read
  (``rp``) into a four-entry output queue of registers (``e0`` is
  ``o.payload``, its valid bit ``o.valid``).
- Levels are thermometer codes (bit k is ``level > k``), each moved one place
  up or down per clock: the credit counter (``count``), the output queue's
  occupancy, and the RAM's level *one clock late* (words written before the
  previous clock and not yet read). That last one depends only on registers
  (the previous clock's write and read), so the RAM's level now, which decides
  a read, is one LUT from registers: ``level > 0`` is ``t1`` if a word was
  read and none written last clock, ``t0`` if both or neither, and true if a
  word was written and none read.
- A read is issued when the RAM has a word and the queue has room for it
  counting the word already on its way (one clock of read latency): two LUT
  levels. The queue loads a register when its word leaves or it is empty.
  With ``level_ahead`` one: the first two bits of the RAM's level before this
  clock's read, ``L = lagged + wrote``, are registers of their own (``v0 = L >
  0``, ``v1 = L > 1``), so the read decision is ``Mux(read, v1, v0) & room``,
  one LUT4 (the UP5K's critical path at 90 MHz with the Horner steps in
  SB_MAC16s: ``read -> unread -> issue -> read``, two LUTs and 7.0 ns of
  routing, 11.72 ns). With ``L' = L - read + valid`` (``valid`` the arriving
  word) and ``L >= read``: ``v0' = valid | unread`` and ``v1' = unread`` if a
  word arrives, else ``Mux(read, L > 2, v1)``, ``L > 2`` read from the lagged
  code (``t2 | wrote & t1``). No clock enable: as a full thermometer code
  moved by ``valid ^ read`` its enable went through a global buffer from the
  datapath's last valid, 11.55 ns. Nor has the lagged code then: its bit k
  is ``t_(k+1) | t_k & ~(read & ~wrote) | t_(k-1) & wrote & ~read`` (an OR,
  not a hold multiplexer, so Yosys makes no enable of it): its enable ``wrote
  ^ read`` went through a global buffer, 11.65 ns.

Latency 3 (RAM write, read, queue register). The credit, ``credit`` = fewer
than ``credits = depth + 4`` words inside, is one LUT from registers: the
count's code is kept one clock late (``u``, updated from the last clock's
``accepted`` and ``leave``, registered, so its clock enable, a net of
``credits`` flip-flops that nextpnr puts on a global buffer, comes straight
from a register: with the enable one LUT after ``accepted`` and ``leave`` it
was the UP5K's critical path at 90 MHz, 15.0 ns), and the credit is read from
it and those two registered events. When the output queue is empty there are at most two words
here (written in the last two clocks), so with three or more a word is
offered on ``o``; hence a clock with ``o.ready`` high is followed by one with
``credit`` high (``ready_lag = 1``; the stall handshake has it in the same
clock), and a consumer that is always ready never sees ``i.ready`` low: one
word per clock, with ``depth + 3`` words inside. The RAM has
``2^ceil(log2(credits + 1))`` words, so a pointer wraps without a comparison.

The binary counters ``count``, ``level`` and ``room`` are kept for proofs
and tests (``sigmoid_hw.formal.harness.CreditContract``; nothing in the logic reads
them, so synthesis removes them); ``invariants`` ties the thermometer codes
to them.

Parameters
----------
shape : shape of the payload
depth : int
    Registers of the datapath in front (words it can hold).
level_ahead : bool
    The read decision one LUT from registers (above); the same words and
    flags.
lut_instance : bool
    With ``level_ahead``, that LUT an iCE40 ``SB_LUT4`` by instance when
    synthesis elaborates (``sigmoid_hw.hw.dsp.PRIMITIVES``); ``False``: plain logic,
    any family (the ECP5).

Members
-------
i : In(stream.Signature(shape))
    From the datapath; ``i.ready`` is always high.
o : Out(stream.Signature(shape))
accepted : In(1)
    A word enters the datapath this clock (``i.valid & credit`` of the producer).
credit : Out(1)
"""

from amaranth import *
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.dsp import use_primitives

__all__ = ["CreditBuffer"]

QUEUE = 4   # output registers
# a read is issued while the queue holds at most QUEUE - 2 words: with the word in flight
# it has room, whether or not a read is in flight (with three registers the room counted
# the read in flight, ``~(q[2] | (q[1] & read))``, whose AND Yosys shared with the queue
# code's next value: three LUTs from q to the read enable, the UP5K's critical path at
# 90 MHz once the datapath was split, 12.6 ns)
ROOM = QUEUE - 2


def _thermometer(value, length):
    """``Cat(value > 0, value > 1, ...)``, ``length`` bits."""
    return Cat(*(value > k for k in range(length)))


def _step(code, up):
    """A thermometer code moved one place up (``up``) or down."""
    return Mux(up, Cat(Const(1, 1), code[:-1]), Cat(code[1:], Const(0, 1)))


class CreditBuffer(wiring.Component):
    __doc__ = __doc__

    latency = 3

    def __init__(self, shape, depth, *, level_ahead=False, lut_instance=True):
        if not isinstance(depth, int) or isinstance(depth, bool) or depth < 0:
            raise TypeError("depth must be a non-negative integer, not {!r}".format(depth))
        if not isinstance(level_ahead, bool):
            raise TypeError("level_ahead must be a bool, not {!r}".format(level_ahead))
        self._level_ahead = level_ahead
        if not isinstance(lut_instance, bool):
            raise TypeError("lut_instance must be a bool, not {!r}".format(lut_instance))
        self._lut_instance = lut_instance
        self._shape = shape
        self._credits = depth + 4
        self._ram_depth = 1 << self._credits.bit_length()   # >= credits + 1, a power of two
        # binary counters for proofs and tests (see the module docstring)
        self.count = Signal(range(self._credits + 1))
        # wide enough for every value of its terms, so that no unreachable state wraps
        self.level = Signal(range(self._credits + QUEUE + 2))
        self.room = Signal()
        self._lagged = Signal(range(self._credits + 1))    # the RAM's level one clock late
        self._occupancy = Signal(range(QUEUE + 1))
        self._wrote = Signal()
        self._read = Signal()
        self._t = Signal(self._credits)                     # thermometer of _lagged
        self._v = Signal(2)                                 # _lagged + _wrote > 0, > 1
        self._u = Signal(self._credits)                     # thermometer of count, late
        self._late = Signal(range(self._credits + 1))       # count one clock late
        self._move = Signal()                               # the count moved last clock,
        self._up = Signal()                                 # ... up (else down)
        self._q = Signal(QUEUE)                             # thermometer of _occupancy
        bits = self._ram_depth.bit_length() - 1
        self._wp = Signal(bits)
        self._rp = Signal(bits)
        super().__init__({"i": In(stream.Signature(shape)), "o": Out(stream.Signature(shape)),
                          "accepted": In(1), "credit": Out(1)})

    @property
    def credits(self):
        return self._credits

    @property
    def ready_lag(self):
        """``o.ready`` high in a clock implies ``credit`` high in the next (``1``)."""
        return 1

    @property
    def offered_level(self):
        """With this many words here (``level``), one is offered on ``o``."""
        return 3

    @property
    def registers(self):
        """None: the words wait in block RAM and the output queue, not in stage registers."""
        return ()

    @property
    def invariants(self):
        """``(condition, message)`` pairs that hold in every reachable state (for proofs)."""
        bits = len(self._wp)
        unread = self._lagged + self._wrote - self._read
        return [
            (self._t == _thermometer(self._lagged, self._credits),
             "the RAM's lagged level code is its thermometer"),
            (self._v == _thermometer(self._lagged + self._wrote, 2),
             "the RAM's level before the read is its first two thermometer bits"),

            (self._u == _thermometer(self._late, self._credits),
             "the credit code is the late counter's thermometer"),
            (self.count == self._late + (self._move & self._up) - (self._move & ~self._up),
             "the late count and the last clock's move make the count"),
            ((self._late <= self._credits) & (~self._move | self._up | (self._late > 0)),
             "the late counter beyond its range"),
            (self._q == _thermometer(self._occupancy, QUEUE),
             "the queue code is its occupancy's thermometer"),
            ((self._lagged <= self._credits) & (self._occupancy <= QUEUE)
             & (self.count <= self._credits), "a counter beyond its range"),
            (self.level <= self.count, "more words here than accepted and not delivered"),
            (self._lagged + self._wrote >= self._read, "more words read than written"),
            (self._occupancy + self._read <= QUEUE, "the queue would overflow"),
            # (the pointers reset at once, the counters at the clock edge)
            (((self._wp - self._rp)[:bits] == unread[:bits]) | ResetSignal(),
             "the pointers disagree with the level"),
            # no read last clock although the RAM had a word: the queue was full
            (self._read | (self._lagged == 0) | (self._occupancy >= ROOM),
             "a word waited in the RAM while the queue had room"),
            (~self._read | (self._occupancy != 0) | (self._lagged <= 1),
             "the queue is empty behind a read although the RAM held words before"),
        ]

    def elaborate(self, platform):
        m = Module()
        width = Shape.cast(self._shape).width
        m.submodules.ram = ram = Memory(shape=unsigned(width), depth=self._ram_depth, init=[])
        wr = ram.write_port()
        rd = ram.read_port()   # synchronous, not transparent: a word is never read as written
        t, u, q = self._t, self._u, self._q
        wrote, read = self._wrote, self._read
        e = [Signal(width, name="e{}".format(k), reset_less=True) for k in range(QUEUE)]
        # The two pointers reset asynchronously (same clock, same reset): an iCE40 flip-flop
        # with a clock enable applies a synchronous reset only while enabled, so Yosys ORs
        # the reset into the enable, one more LUT on the read decision's path (q -> read
        # decision -> rp's enable, the UP5K's critical path at 150 MHz with it).
        m.domains.ctrl = ClockDomain("ctrl", async_reset=True, local=True)
        m.d.comb += [ClockSignal("ctrl").eq(ClockSignal()), ResetSignal("ctrl").eq(ResetSignal())]

        # write every arriving word
        m.d.comb += [wr.addr.eq(self._wp), wr.data.eq(self.i.payload), wr.en.eq(self.i.valid),
                     self.i.ready.eq(1)]
        with m.If(self.i.valid):
            m.d.ctrl += self._wp.eq(self._wp + 1)

        # read when the RAM has a word and the queue has room, the word in flight counted
        # (kept as wires, so that each is one LUT and the read decision a second one: left
        # to itself ABC made a chain of four LUTs of them, 15.4 ns on the UP5K)
        # (level_ahead: four registers into one LUT, nothing kept)
        keep = {} if self._level_ahead else {"keep": 1}
        unread = Signal(attrs=keep)
        queue_room = Signal(attrs=keep)
        issue = Signal()
        v = self._v
        m.d.comb += [unread.eq(Mux(read, v[1], v[0]) if self._level_ahead else
                               Mux(wrote == read, t[0], Mux(wrote, 1, t[1]))),
                     queue_room.eq(~q[ROOM]), rd.addr.eq(self._rp)]
        if self._level_ahead and self._lut_instance and use_primitives(platform):
            # one SB_LUT4 by instance (synthesis only): left to ABC, the multiplexer was
            # shared with the level registers' next value, two LUTs (UP5K, seed 3: 13.3 ns)
            ins = (read, v[0], v[1], q[ROOM])
            init = sum(1 << k for k in range(16)
                       if ((k >> 2) & 1 if k & 1 else (k >> 1) & 1) and not (k >> 3) & 1)
            m.submodules.issue_lut = Instance(
                "SB_LUT4", p_LUT_INIT=Const(init, 16), o_O=issue,
                **{"i_I{}".format(j): x for j, x in enumerate(ins)})
        else:
            m.d.comb += issue.eq(unread & queue_room)
        with m.If(issue):
            m.d.ctrl += self._rp.eq(self._rp + 1)
        m.d.sync += [wrote.eq(self.i.valid), read.eq(issue)]
        if self._level_ahead:
            above, below = Cat(t[1:], Const(0, 1)), Cat(Const(1, 1), t[:-1])
            m.d.sync += t.eq(above | (t & (~(read & ~wrote)).replicate(len(t)))
                             | (below & (wrote & ~read).replicate(len(t))))
        else:
            with m.If(wrote ^ read):
                m.d.sync += t.eq(_step(t, wrote))
        # (unread, so removed, without level_ahead)
        above2 = t[2] | (wrote & t[1])
        m.d.sync += v.eq(Cat(self.i.valid | unread,
                             Mux(self.i.valid, unread, Mux(read, above2, v[1]))))

        # the output queue: e0 is offered; a register loads when its word leaves or it is empty
        leave = Signal()
        m.d.comb += [leave.eq(q[0] & self.o.ready),
                     self.o.valid.eq(q[0]), self.o.payload.eq(e[0])]
        for k in range(QUEUE):
            with m.If(leave | ~q[k]):
                m.d.sync += e[k].eq(Mux(q[k + 1], e[k + 1], rd.data) if k + 1 < QUEUE
                                    else rd.data)
        with m.If(read ^ leave):
            m.d.sync += q.eq(_step(q, read))

        # the credit: a thermometer of the words accepted and not delivered; the credit is
        # its top bit, a register (with ``| leave`` it was two LUTs and two long nets from
        # the output queue to the first stage's valid: 15.0 ns on the UP5K)
        # (count >= credits: with a move up, the late count was credits - 1 or more; after
        # a move down it is below credits; without a move, the late count's top bit)
        # (written so, not Mux(move, up & u[-2], u[-1]): that AND is the code's next top bit,
        # and shared with it the credit was three LUTs from u to the first register's valid)
        full = Mux(self._move, self._up, u[-1]) & u[-2]
        m.d.comb += self.credit.eq(~full)
        m.d.sync += [self._move.eq(self.accepted ^ leave), self._up.eq(self.accepted)]
        with m.If(self._move):
            m.d.sync += u.eq(_step(u, self._up))

        # binary counters, for proofs and tests only
        m.d.sync += [self.count.eq(self.count + self.accepted - leave),
                     self._late.eq(self.count),
                     self._lagged.eq(self._lagged + wrote - read),
                     self._occupancy.eq(self._occupancy + read - leave)]
        m.d.comb += [self.level.eq(self._lagged + wrote + self._occupancy),
                     self.room.eq(self._lagged + wrote - read < self._ram_depth)]
        return m

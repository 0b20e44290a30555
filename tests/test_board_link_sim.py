# amaranth: UnusedElaboratable=no
"""The whole board link in simulation: UART bits in, UART bits out, driven by link/protocol.py.

The host side here is a bit-level 8N1 line model (written from the definition,
not from link/uart.py) around the same ``LinkProtocol``, ``ResponseDecoder``
and ``Ledger`` that ``link/host.py`` uses. Every answer is checked against
the integer model (``model.pipeline.sigmoid_fixed``) and against the exact
decision sigmoid(x) > t computed with mpmath; every word must be answered or
reported lost (the policy of ``link.protocol``).
"""

import random
from fractions import Fraction

import mpmath
import numpy as np
from amaranth import Signal
from amaranth.sim import Simulator

from hw.pipeline import SigmoidPipeline
from hw.threshold import ThresholdComparator
from link.gateware import SigmoidLink
from link.protocol import LinkProtocol, Ledger, REQUEST_SYNC
from model.fixed import SQ
from model.pipeline import derive_params, sigmoid_fixed

BAUD = 1_000_000
CLK = 16 * BAUD
DIV = 16
T = Fraction(3, 4)
FMT = SQ(4, 12)


def exact_decision(raw):
    """sigmoid(raw / 4096) > 3/4, i.e. raw / 4096 > ln 3, in 50-digit arithmetic."""
    with mpmath.workdps(50):
        return mpmath.mpf(raw) / 4096 > mpmath.log(3)


def byte_levels(byte, stop=1):
    return [0] + [(byte >> k) & 1 for k in range(8)] + [stop]


class Host:
    """The host: a line driver and a line reader sharing state, as two testbenches."""

    def __init__(self, dut, words, *, window=None, gap_bits=0, corrupt=None, extra=None):
        self.dut = dut
        self.words = words
        self.window = window          # requests in flight; None: back to back
        self.gap_bits = gap_bits      # idle bits between requests
        self.corrupt = corrupt or {}  # word index -> function(frame levels) -> levels
        self.extra = extra or {}      # word index -> line levels sent before that word
        self.protocol = dut.protocol
        self.decoder = self.protocol.decoder()
        self.responses = []
        self.rx_bytes = bytearray()
        self.quiet = 0
        self.done = Signal()  # testbench-only: tells the reader to stop

    def answered(self):
        return sum(1 for r in self.responses if not r.report)

    async def drive(self, ctx):
        ctx.set(self.dut.rx, 1)
        await ctx.tick().repeat(4 * DIV)
        for k, x in enumerate(self.words):
            if self.window is not None:
                while k - self.answered() >= self.window:
                    await ctx.tick().repeat(DIV)
            levels = list(self.extra.get(k, []))
            frame = self.protocol.encode_request(k % 256, x)
            frame_levels = [lv for b in frame for lv in byte_levels(b)]
            if k in self.corrupt:
                frame_levels = self.corrupt[k](frame_levels)
            levels += frame_levels + [1] * self.gap_bits
            for level in levels:
                ctx.set(self.dut.rx, level)
                await ctx.tick().repeat(DIV)
        ctx.set(self.dut.rx, 1)
        # Wait for the board to go quiet: no byte for 40 bit times.
        while self.quiet < 40:
            await ctx.tick().repeat(DIV)
            self.quiet += 1
        ctx.set(self.done, 1)

    async def read(self, ctx):
        tx = self.dut.tx
        while True:
            await ctx.tick().until(~tx | self.done)
            if ctx.get(self.done):
                return
            await ctx.tick().repeat(DIV // 2)
            levels = [ctx.get(tx)]
            for _ in range(9):  # ends in the middle of the stop bit
                await ctx.tick().repeat(DIV)
                levels.append(ctx.get(tx))
            assert levels[0] == 0 and levels[9] == 1, "bad frame from the board: {}".format(levels)
            byte = sum(b << k for k, b in enumerate(levels[1:9]))
            self.rx_bytes.append(byte)
            self.responses += self.decoder.feed(bytes([byte]))
            self.quiet = 0

    def run(self):
        sim = Simulator(self.dut)
        sim.add_clock(1 / CLK)
        sim.add_testbench(self.drive)
        sim.add_testbench(self.read)
        sim.run()
        ledger = Ledger(len(self.words))
        for r in self.responses:
            ledger.add(r)
        return ledger.finish()


def make_link(queue_depth=8):
    return SigmoidLink(SigmoidPipeline(), ThresholdComparator(FMT, threshold=T),
                       clk_freq=CLK, baud=BAUD, queue_depth=queue_depth)


def check_answers(words, ledger):
    params = derive_params(FMT, 16)
    expected = sigmoid_fixed(np.array(words, dtype=np.int64), params)
    for k, r in ledger.answered.items():
        assert r.y == int(expected[k]), "word {} (x={}): y {} != model {}".format(
            k, words[k], r.y, int(expected[k]))
        assert r.decision == exact_decision(words[k]), "word {} (x={}): decision".format(
            k, words[k])


def test_protocol_geometry():
    dut = make_link()
    assert dut.divisor == DIV
    assert (dut.protocol.request_length, dut.protocol.response_length) == (5, 7)


def test_paced_words_all_answered():
    rng = random.Random(5)
    boundary = int(mpmath.floor(mpmath.log(3) * 4096))  # 4499: the decision flips after it
    words = [FMT.min, FMT.max, 0, -1, 1, boundary - 1, boundary, boundary + 1, boundary + 2,
             -boundary - 1, 2839, -2839]
    words += [rng.randint(FMT.min, FMT.max) for _ in range(100 - len(words))]
    dut = make_link()
    host = Host(dut, words, window=3)
    ledger = host.run()
    assert ledger.ok, (ledger.unexplained, ledger.problems)
    assert sorted(ledger.answered) == list(range(len(words)))
    assert ledger.dropped == [] and ledger.reports == 0
    assert all(r.status & ~1 == 0 and r.dropped == 0 for r in host.responses)
    assert host.decoder.discarded == 0
    check_answers(words, ledger)
    assert any(r.decision for r in host.responses) and not all(r.decision for r in host.responses)


def test_back_to_back_words_dropped_only_with_a_report():
    rng = random.Random(6)
    words = [rng.randint(FMT.min, FMT.max) for _ in range(100)]
    dut = make_link(queue_depth=4)
    host = Host(dut, words, window=None)
    ledger = host.run()
    assert ledger.ok, (ledger.unexplained, ledger.problems)
    # A response (7 bytes) is longer than a request (5 bytes): about 2 in 7 are dropped.
    assert 15 <= len(ledger.dropped) <= 40
    assert {reason for _, reason in ledger.dropped} == {"overrun"}
    assert len(ledger.answered) + len(ledger.dropped) == len(words)
    assert sum(r.dropped for r in host.responses) == len(ledger.dropped)
    assert all(r.overrun == (r.dropped > 0) for r in host.responses)
    assert not any(r.framing or r.lost for r in host.responses)
    check_answers(words, ledger)
    # The first words fill the queue and are all answered.
    assert all(k in ledger.answered for k in range(4))


def test_framing_error_on_the_line_is_reported():
    rng = random.Random(7)
    words = [rng.randint(FMT.min, FMT.max) for _ in range(40)]

    def low_stop_bit(levels):
        # Third byte of the frame (X low byte): its stop bit held low.
        levels = list(levels)
        levels[2 * 10 + 9] = 0
        return levels

    dut = make_link()
    host = Host(dut, words, window=2, corrupt={20: low_stop_bit})
    ledger = host.run()
    assert ledger.ok, (ledger.unexplained, ledger.problems)
    lost = [k for k, _ in ledger.dropped]
    assert 20 in lost and set(lost) <= {20, 21}
    assert {reason for _, reason in ledger.dropped} == {"line error"}
    assert any(r.framing for r in host.responses)
    check_answers(words, ledger)
    assert all(k in ledger.answered for k in range(len(words)) if k not in (20, 21))


def test_truncated_frame_and_garbage_are_reported():
    rng = random.Random(8)
    words = [rng.randint(FMT.min, FMT.max) for _ in range(30)]
    proto = LinkProtocol(16, 16)
    # Before word 10: half a request, then silence (the board's timeout ends it).
    half = proto.encode_request(200, 1234)[:3]
    truncated = [lv for b in half for lv in byte_levels(b)] + [1] * 40
    # Before word 20: bytes that start no frame.
    garbage = [lv for b in (0x00, 0xFF, REQUEST_SYNC ^ 1) for lv in byte_levels(b)] + [1] * 4
    dut = make_link()
    host = Host(dut, words, window=2, extra={10: truncated, 20: garbage})
    ledger = host.run()
    assert ledger.ok, (ledger.unexplained, ledger.problems)
    # Nothing that was sent whole is lost; the damage is reported in report frames.
    assert sorted(ledger.answered) == list(range(len(words)))
    assert ledger.reports >= 2
    assert sum(1 for r in host.responses if r.lost) >= 2
    check_answers(words, ledger)


def test_ledger_flags_a_silent_loss():
    """The bookkeeping itself: a gap without a report is caught."""
    proto = LinkProtocol(16, 16)
    decoder = proto.decoder()
    frames = b"".join(proto.encode_response(seq, 0) for seq in (0, 1, 3))
    ledger = Ledger(4)
    for r in decoder.feed(frames):
        ledger.add(r)
    ledger.finish()
    assert ledger.unexplained == [2] and not ledger.ok


class FakeBoard:
    """A serial port with the board's behaviour written in Python from the protocol text."""

    def __init__(self, protocol, limit, *, wrong=(), lose=()):
        self.protocol = protocol
        self.limit = limit
        self.params = derive_params(FMT, 16)
        self.wrong = set(wrong)   # SEQs answered with a wrong y
        self.lose = set(lose)     # SEQs garbled on the line: reported as LOST
        self.out = bytearray()
        self.pending_lost = False

    def write(self, frame):
        assert frame[0] == REQUEST_SYNC and sum(frame[1:]) % 256 == 0
        seq = frame[1]
        x = int.from_bytes(frame[2:4], "little", signed=True)
        if seq in self.lose:
            self.pending_lost = True
            return
        y = int(sigmoid_fixed(np.array([x]), self.params)[0]) ^ (seq in self.wrong)
        status = (x >= self.limit) | (8 if self.pending_lost else 0)
        self.pending_lost = False
        self.out += self.protocol.encode_response(seq, y, status)

    def read(self, n):
        data, self.out[:] = bytes(self.out[:n]), self.out[n:]
        return data


def test_host_script_checks_every_answer():
    from model.threshold import threshold_limit
    from link.host import check_answers, exchange, read_inputs

    proto = LinkProtocol(16, 16)
    limit = threshold_limit(T, FMT)
    words = read_inputs(["# a comment", "-32768", "0x10", "4500", "1.5", "", "-0.25", "32767"],
                        FMT)
    assert words == [-32768, 16, 4500, 6144, -1024, 32767]
    board = FakeBoard(proto, limit, wrong={2}, lose={4})
    ledger = exchange(board, words, proto, window=2, timeout=0.01)
    assert ledger.ok
    assert sorted(ledger.answered) == [0, 1, 2, 3, 5]
    assert ledger.dropped == [(4, "line error")]
    bad = check_answers(words, ledger, derive_params(FMT, 16), limit)
    assert [(m["index"], m["x"]) for m in bad] == [(2, 4500)]
    assert [r.decision for _, r in sorted(ledger.answered.items())] == [
        exact_decision(words[k]) for k in (0, 1, 2, 3, 5)]

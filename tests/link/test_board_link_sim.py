# amaranth: UnusedElaboratable=no
"""The whole board link in simulation: UART bits in, UART bits out, driven by link/protocol.py.

The host side here is a bit-level 8N1 line model (written from the definition,
not from link/uart.py) around the same ``LinkProtocol``, ``ResponseDecoder``
and ``Ledger`` that ``link/host.py`` uses. Every answer is checked against
the integer model (``sigmoid_hw.model.pipeline.sigmoid_fixed``) and against the exact
decision sigmoid(x) > t computed with mpmath; every word must be answered or
reported lost (the policy of ``sigmoid_hw.link.protocol``).
"""

import random
from fractions import Fraction

import mpmath
import numpy as np
from amaranth import Signal

from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.threshold import ThresholdComparator
from sigmoid_hw.link.gateware import SigmoidLink
from sigmoid_hw.link.protocol import LinkProtocol, Ledger, REQUEST_SYNC
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.pipeline import derive_params, sigmoid_fixed
from uart_host import UARTHost, byte_levels, ledger_of

BAUD = 1_000_000
CLK = 16 * BAUD
DIV = 16
T = Fraction(3, 4)
FMT = SQ(4, 12)


def exact_decision(raw):
    """sigmoid(raw / 4096) > 3/4, i.e. raw / 4096 > ln 3, in 50-digit arithmetic."""
    with mpmath.workdps(50):
        return mpmath.mpf(raw) / 4096 > mpmath.log(3)


class Host(UARTHost):
    """The shared UART host at this file's rate; ``run`` returns the finished ledger."""

    def __init__(self, dut, words, **kwargs):
        super().__init__(dut, words, div=DIV, clk=CLK, **kwargs)

    def run(self):
        return ledger_of(super().run(), len(self.words))


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
    from sigmoid_hw.model.threshold import threshold_limit
    from sigmoid_hw.link.host import check_answers, exchange, read_inputs

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


def test_host_checks_a_tanh_board_with_signed_answers():
    # a board built with --function tanh --rounding correct: its answers are the two's
    # complement bits of round(32768 tanh(x)), here computed with mpmath
    from types import SimpleNamespace
    from sigmoid_hw.link.host import check_answers
    from sigmoid_hw.model.functions import derive_function
    params = derive_function("tanh", FMT, 16, "correct")
    words = [-32768, -5000, -1, 0, 1, 777, 20000, 32767]

    def exact(raw):
        with mpmath.workdps(50):
            y = int(mpmath.nint(mpmath.tanh(mpmath.mpf(raw) / 4096) * 32768))
        return max(-32767, min(32767, y))
    answers = {k: SimpleNamespace(y=exact(x) & 0xFFFF, decision=x >= 4500)
               for k, x in enumerate(words)}
    ledger = SimpleNamespace(answered=dict(answers))
    assert check_answers(words, ledger, params, 4500) == []
    ledger.answered[1] = SimpleNamespace(y=(exact(-5000) + 1) & 0xFFFF, decision=False)
    assert [m["index"] for m in check_answers(words, ledger, params, 4500)] == [1]


def test_host_checks_a_method_board():
    # a board built with --design table --function gelu --rounding correct: its answers are
    # the two's complement bits of round(4096 x Phi(x)), here computed with mpmath
    from types import SimpleNamespace
    import argparse
    from sigmoid_hw.link.host import check_answers
    from sigmoid_hw.scripts.commands.host import _method_model
    model, width = _method_model(argparse.Namespace(
        method="table", function="gelu", output_bits=16, rounding="correct"), FMT)
    assert width == 16
    words = [-32768, -5000, -1, 0, 1, 777, 20000, 32767]

    def exact(raw):
        with mpmath.workdps(50):
            x = mpmath.mpf(raw) / 4096
            return int(mpmath.nint(x * mpmath.ncdf(x) * 4096))
    answers = {k: SimpleNamespace(y=exact(x) & 0xFFFF, decision=x >= 4500)
               for k, x in enumerate(words)}
    ledger = SimpleNamespace(answered=dict(answers))
    assert check_answers(words, ledger, model, 4500) == []
    ledger.answered[5] = SimpleNamespace(y=(exact(777) - 1) & 0xFFFF, decision=False)
    assert [m["index"] for m in check_answers(words, ledger, model, 4500)] == [5]

"""The board's host link, independent of any board: UART in, sigmoid and decision out.

::

    rx -> UARTRx -> RequestDeframer -> queue -> fork -+-> sigmoid    -+-> join -> ResponseFramer -> UARTTx -> tx
                    (checks frames)                   +-> comparator -+           (flags, counts)
                                                      +-> SEQ FIFO  --+

The frame format and the loss policy are those of ``sigmoid_hw.link.protocol``: every
well-formed request is answered in order, unless the request queue is full,
in which case it is dropped and counted; every loss (a dropped request, a
UART framing error, discarded bytes) raises a flag that goes out with the
next response the framer starts, or in a report frame if there is nothing
to answer. The receiver is never stalled (the deframer takes a byte every
cycle), so bytes are only lost when the line itself is bad.

The sigmoid unit and the comparator are passed in, so the link serves any
configuration (and a test can use small stand-ins); ``sigmoid_hw.boards.top`` builds it
with ``SigmoidPipeline`` and ``ThresholdComparator``.
"""

from amaranth import *
from amaranth.lib import wiring, stream, data, fifo
from amaranth.lib.wiring import In, Out

from sigmoid_hw.link.protocol import (LinkProtocol, REQUEST_SYNC, RESPONSE_SYNC, DECISION, REPORT,
                           FRAMING, LOST, OVERRUN)
from sigmoid_hw.link.uart import UARTRx, UARTTx, RxByte, baud_divisor

__all__ = ["RequestDeframer", "ResponseFramer", "SigmoidLink"]


def _request_layout(input_bits):
    return data.StructLayout({"seq": unsigned(8), "x": signed(input_bits)})


def _answer_layout(output_bits):
    return data.StructLayout({"seq": unsigned(8), "y": unsigned(output_bits),
                              "decision": unsigned(1)})


class RequestDeframer(wiring.Component):
    """Parse request frames from received bytes into a queue of ``(seq, x)``.

    Parameters
    ----------
    protocol : LinkProtocol
    queue_depth : int
        Requests the queue holds; a complete request that finds it full is dropped.
    timeout : int
        Clock cycles of silence after which a partial frame is abandoned
        (about two byte times), so a truncated frame does not eat the next one.

    Members
    -------
    i : In(stream.Signature(RxByte))
        Bytes from the UART receiver; always taken.
    o : Out(stream.Signature(StructLayout seq, x))
        Requests whose checksum is right, in order.
    framing, lost, dropped : Out(1)
        One-cycle events: a byte with a framing error; bytes discarded (bad
        checksum, outside a frame, receiver overrun, timeout); a complete
        request dropped because the queue was full.
    """

    def __init__(self, protocol, *, queue_depth=8, timeout=2000):
        self._protocol = protocol
        self._queue_depth = queue_depth
        self._timeout = timeout
        super().__init__({
            "i": In(stream.Signature(RxByte)),
            "o": Out(stream.Signature(_request_layout(protocol.input_bits))),
            "framing": Out(1),
            "lost": Out(1),
            "dropped": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        proto = self._protocol
        layout = _request_layout(proto.input_bits)
        m.submodules.queue = queue = fifo.SyncFIFOBuffered(width=layout.size,
                                                           depth=self._queue_depth)
        m.d.comb += [
            self.o.payload.eq(queue.r_data),
            self.o.valid.eq(queue.r_rdy),
            queue.r_en.eq(self.o.ready),
        ]

        body_len = proto.in_bytes + 2        # SEQ, X..., CHECK
        fields = Signal(8 * (proto.in_bytes + 1))  # SEQ then X, little-endian
        total = Signal(8)
        count = Signal(range(body_len))
        in_frame = Signal()
        silence = Signal(range(self._timeout + 1))

        byte = self.i.payload
        m.d.comb += self.i.ready.eq(1)

        with m.If(self.i.valid | ~in_frame):
            m.d.sync += silence.eq(0)
        with m.Elif(silence == self._timeout):
            m.d.sync += in_frame.eq(0)
            m.d.comb += self.lost.eq(1)
        with m.Else():
            m.d.sync += silence.eq(silence + 1)

        with m.If(self.i.valid):
            with m.If(byte.framing_error):
                m.d.comb += self.framing.eq(1)
                m.d.sync += in_frame.eq(0)
            with m.Elif(byte.overrun):
                m.d.comb += self.lost.eq(1)
                m.d.sync += in_frame.eq(0)
            with m.Elif(~in_frame):
                with m.If(byte.data == REQUEST_SYNC):
                    m.d.sync += [in_frame.eq(1), count.eq(0), total.eq(0)]
                with m.Else():
                    m.d.comb += self.lost.eq(1)
            with m.Elif(count == body_len - 1):
                m.d.sync += in_frame.eq(0)
                request = Signal(layout)
                m.d.comb += [
                    request.seq.eq(fields[:8]),
                    request.x.eq(fields[8:8 + proto.input_bits]),
                    queue.w_data.eq(request),
                ]
                with m.If((total + byte.data)[:8] != 0):
                    m.d.comb += self.lost.eq(1)
                with m.Elif(queue.w_rdy):
                    m.d.comb += queue.w_en.eq(1)
                with m.Else():
                    m.d.comb += self.dropped.eq(1)
            with m.Else():
                m.d.sync += [
                    fields.eq(Cat(fields[8:], byte.data)),
                    total.eq(total + byte.data),
                    count.eq(count + 1),
                ]
        return m


class ResponseFramer(wiring.Component):
    """Turn answers into response frames, carrying the loss flags and counts.

    Parameters
    ----------
    protocol : LinkProtocol

    Members
    -------
    i : In(stream.Signature(StructLayout seq, y, decision))
        Answers, in request order.
    framing, lost, dropped : In(1)
        The deframer's events, accumulated until the next frame starts.
    o : Out(stream.Signature(8))
        Bytes for the UART transmitter.
    decision : Out(1)
        The decision of the last word answered (for an LED).
    error : Out(1)
        Set by the first loss of any kind, until reset (for an LED).
    """

    def __init__(self, protocol):
        self._protocol = protocol
        super().__init__({
            "i": In(stream.Signature(_answer_layout(protocol.output_bits))),
            "framing": In(1),
            "lost": In(1),
            "dropped": In(1),
            "o": Out(stream.Signature(8)),
            "decision": Out(1),
            "error": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        proto = self._protocol
        n = proto.response_length

        # Loss accounting since the last frame started.
        flag_framing = Signal()
        flag_lost = Signal()
        drops = Signal(8)

        frame = Signal(8 * n)
        left = Signal(range(n + 1))
        idle = left == 0
        pending = flag_framing | flag_lost | (drops != 0)

        m.d.comb += [
            self.o.payload.eq(frame[:8]),
            self.o.valid.eq(~idle),
            self.i.ready.eq(idle),
        ]
        with m.If(self.o.valid & self.o.ready):
            m.d.sync += [frame.eq(frame >> 8), left.eq(left - 1)]

        start = Signal()
        report = Signal()
        m.d.comb += [
            start.eq(idle & (self.i.valid | pending)),
            report.eq(~self.i.valid),
        ]

        status = Signal(8)
        seq = Signal(8)
        y = Signal(8 * proto.out_bytes)
        m.d.comb += [
            status.eq(Mux(report, REPORT, Mux(self.i.payload.decision, DECISION, 0))
                      | Mux(flag_framing, FRAMING, 0) | Mux(flag_lost, LOST, 0)
                      | Mux(drops != 0, OVERRUN, 0)),
            seq.eq(Mux(report, 0, self.i.payload.seq)),
            y.eq(Mux(report, 0, self.i.payload.y)),
        ]
        body = [seq, status, drops] + [y[8 * k:8 * k + 8] for k in range(proto.out_bytes)]
        check = Signal(8)
        m.d.comb += check.eq(-sum(body))

        with m.If(start):
            m.d.sync += [frame.eq(Cat(C(RESPONSE_SYNC, 8), *body, check)), left.eq(n)]
            with m.If(~report):
                m.d.sync += self.decision.eq(self.i.payload.decision)

        # Events of this cycle survive a start in the same cycle.
        with m.If(start):
            m.d.sync += [flag_framing.eq(self.framing), flag_lost.eq(self.lost),
                         drops.eq(self.dropped)]
        with m.Else():
            m.d.sync += [flag_framing.eq(flag_framing | self.framing),
                         flag_lost.eq(flag_lost | self.lost)]
            with m.If(self.dropped & (drops != 0xFF)):
                m.d.sync += drops.eq(drops + 1)
        with m.If(self.framing | self.lost | self.dropped):
            m.d.sync += self.error.eq(1)
        return m


class SigmoidLink(wiring.Component):
    """UART host link around a sigmoid unit and a threshold comparator.

    Parameters
    ----------
    sigmoid : wiring.Component
        ``i: In(stream.Signature(signed(W_in)))``, ``o: Out(stream.Signature(unsigned(W_out)))``.
    comparator : wiring.Component
        ``i`` like ``sigmoid.i``, ``o: Out(stream.Signature(1))``, the decision.
    clk_freq : float
        Frequency of the ``sync`` domain, in Hz.
    baud : float
        UART bit rate; 115200 by default.
    queue_depth : int
        Requests the board can hold before it drops (and reports) more.

    Members
    -------
    rx : In(1)
        Serial line from the host, idle high.
    tx : Out(1)
        Serial line to the host, idle high.
    decision : Out(1)
        Decision of the last word answered.
    error : Out(1)
        Some loss has been reported since reset.
    """

    rx: In(1, init=1)
    tx: Out(1, init=1)
    decision: Out(1)
    error: Out(1)

    def __init__(self, sigmoid, comparator, *, clk_freq, baud=115200, queue_depth=8):
        in_bits = len(sigmoid.i.payload)
        if len(comparator.i.payload) != in_bits:
            raise ValueError("Comparator input is {} bits, sigmoid input {} bits; they must match"
                             .format(len(comparator.i.payload), in_bits))
        if not isinstance(queue_depth, int) or queue_depth < 1:
            raise TypeError("Queue depth must be a positive integer, not {!r}".format(queue_depth))
        self._sigmoid = sigmoid
        self._comparator = comparator
        self._protocol = LinkProtocol(in_bits, len(sigmoid.o.payload))
        self._divisor = baud_divisor(clk_freq, baud)  # checks the rate now
        self._clk_freq = clk_freq
        self._baud = baud
        self._queue_depth = queue_depth
        super().__init__()

    @property
    def protocol(self):
        return self._protocol

    @property
    def divisor(self):
        """Clock cycles per UART bit."""
        return self._divisor

    def elaborate(self, platform):
        m = Module()
        proto = self._protocol
        m.submodules.uart_rx = rx = UARTRx(self._clk_freq, self._baud)
        m.submodules.uart_tx = tx = UARTTx(self._clk_freq, self._baud)
        m.submodules.sigmoid = sig = self._sigmoid
        m.submodules.comparator = cmp = self._comparator
        m.submodules.deframer = deframer = RequestDeframer(
            proto, queue_depth=self._queue_depth, timeout=20 * rx.divisor)
        m.submodules.framer = framer = ResponseFramer(proto)

        m.d.comb += [rx.rx.eq(self.rx), self.tx.eq(tx.tx)]
        wiring.connect(m, rx.o, deframer.i)
        wiring.connect(m, framer.o, tx.i)
        m.d.comb += [
            framer.framing.eq(deframer.framing),
            framer.lost.eq(deframer.lost),
            framer.dropped.eq(deframer.dropped),
            self.decision.eq(framer.decision),
            self.error.eq(framer.error),
        ]

        # SEQ travels beside the two units; deep enough never to hold them back.
        depth = max(getattr(sig, "latency", 8), getattr(cmp, "latency", 8)) + 2
        m.submodules.seqs = seqs = fifo.SyncFIFO(width=8, depth=depth)

        # Fork: each branch takes the request once; done[k] remembers who has.
        req = deframer.o
        branches = [
            (sig.i.valid, sig.i.ready, [sig.i.payload.eq(req.payload.x)]),
            (cmp.i.valid, cmp.i.ready, [cmp.i.payload.eq(req.payload.x)]),
            (seqs.w_en, seqs.w_rdy, [seqs.w_data.eq(req.payload.seq)]),
        ]
        done = Signal(len(branches))
        m.d.comb += req.ready.eq(Cat(r | done[k] for k, (_, r, _) in
                                     enumerate(branches)).all())
        for k, (valid, ready, assigns) in enumerate(branches):
            m.d.comb += [valid.eq(req.valid & ~done[k]), *assigns]
            with m.If(req.valid & req.ready):
                m.d.sync += done[k].eq(0)
            with m.Elif(valid & ready):
                m.d.sync += done[k].eq(1)

        # Join: answers leave together, in order.
        all_valid = sig.o.valid & cmp.o.valid & seqs.r_rdy
        take = all_valid & framer.i.ready
        m.d.comb += [
            framer.i.valid.eq(all_valid),
            framer.i.payload.seq.eq(seqs.r_data),
            framer.i.payload.y.eq(sig.o.payload),
            framer.i.payload.decision.eq(cmp.o.payload),
            sig.o.ready.eq(take),
            cmp.o.ready.eq(take),
            seqs.r_en.eq(take),
        ]
        return m

"""The host link's framed protocol, in pure Python: shared by ``link/host.py`` and the simulation.

Over a UART (8N1, 115200 baud by default) the host sends requests, one input
word each, and the board answers each with the sigmoid and the threshold
decision. Multi-byte fields are little-endian; ``x`` is the raw input in two's
complement, ``y`` the raw unsigned output. ``W`` bytes hold a ``W * 8``-bit
field (2 and 2 for the default 16-bit input and output).

Request, host -> board (5 bytes by default)::

    0x5A  SEQ  X[in_bytes]  CHECK

Response, board -> host (7 bytes by default)::

    0xA5  SEQ  STATUS  DROPPED  Y[out_bytes]  CHECK

- ``SEQ`` is chosen by the host (the word's index modulo 256) and echoed.
- ``CHECK`` makes the sum of every byte after the sync byte 0 modulo 256.
- ``STATUS`` bits: 0 ``DECISION`` (sigmoid(x) > t), 1 ``REPORT`` (a report
  frame: no word is answered, ``SEQ``, ``Y`` and ``DECISION`` are 0),
  2 ``FRAMING`` (UART framing errors on the request line), 3 ``LOST``
  (request bytes discarded: bad checksum, a byte outside any frame, or a
  receiver overrun), 4 ``OVERRUN`` (complete requests dropped because the
  board's queue was full); the others are 0.
- ``DROPPED`` is the number of requests dropped for ``OVERRUN`` (saturating
  at 255).

The policy: nothing is lost silently. Every well-formed request is answered
unless the board's queue is full, and every loss is reported. The flags and
the count accumulate on the board from the moment of the loss and go out
with the next response the board *starts*; if there is nothing to answer,
the board sends a report frame at once. Responses come in request order, so
the host knows exactly which words were lost: those whose ``SEQ`` never came
back, between two answered words. ``Ledger`` does that bookkeeping: a gap of
words must be explained by ``DROPPED`` counts (exactly) or by a ``FRAMING``
or ``LOST`` report (a garbled byte can take more than one frame with it), all
received no later than the response that reveals the gap; any other gap is an
unexplained loss.

Requests arrive faster than the board can answer when they are sent back to
back: a response (7 bytes) is longer than a request (5 bytes), so the queue
fills and then drops, with ``OVERRUN`` and the count. A host that waits for
each answer, or keeps a few requests in flight (``link/host.py``), never
sees a drop.
"""

from dataclasses import dataclass

__all__ = [
    "REQUEST_SYNC", "RESPONSE_SYNC", "DECISION", "REPORT", "FRAMING", "LOST", "OVERRUN",
    "LinkProtocol", "Response", "ResponseDecoder", "Ledger", "checksum",
]

REQUEST_SYNC = 0x5A
RESPONSE_SYNC = 0xA5

DECISION = 1 << 0
REPORT = 1 << 1
FRAMING = 1 << 2
LOST = 1 << 3
OVERRUN = 1 << 4
_STATUS_MASK = DECISION | REPORT | FRAMING | LOST | OVERRUN


def checksum(body):
    """The byte that makes ``sum(body) + check`` 0 modulo 256."""
    return -sum(body) & 0xFF


def _field_bytes(bits):
    return (bits + 7) // 8


@dataclass(frozen=True)
class Response:
    """One decoded response frame."""
    seq: int
    status: int
    dropped: int
    y: int

    @property
    def decision(self):
        return bool(self.status & DECISION)

    @property
    def report(self):
        return bool(self.status & REPORT)

    @property
    def framing(self):
        return bool(self.status & FRAMING)

    @property
    def lost(self):
        return bool(self.status & LOST)

    @property
    def overrun(self):
        return bool(self.status & OVERRUN)

    @property
    def line_error(self):
        return self.framing or self.lost


class LinkProtocol:
    """Frame geometry for an input of ``input_bits`` and an output of ``output_bits``.

    Parameters
    ----------
    input_bits : int
        Width of the raw input x (signed).
    output_bits : int
        Width of the raw output y (unsigned).
    """

    def __init__(self, input_bits=16, output_bits=16):
        for name, value in (("Input bits", input_bits), ("Output bits", output_bits)):
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 64:
                raise TypeError("{} must be an integer in [1, 64], not {!r}".format(name, value))
        self.input_bits = input_bits
        self.output_bits = output_bits
        self.in_bytes = _field_bytes(input_bits)
        self.out_bytes = _field_bytes(output_bits)

    @property
    def request_length(self):
        return 3 + self.in_bytes

    @property
    def response_length(self):
        return 5 + self.out_bytes

    def encode_request(self, seq, x):
        """The request frame for word ``x`` (a raw signed integer) with sequence number ``seq``."""
        lo, hi = -(1 << (self.input_bits - 1)), (1 << (self.input_bits - 1)) - 1
        if not isinstance(x, int) or isinstance(x, bool):
            raise TypeError("Input word must be an integer, not {!r}".format(x))
        if not lo <= x <= hi:
            raise ValueError("Input word {} is outside the {}-bit signed range [{}, {}]"
                             .format(x, self.input_bits, lo, hi))
        if not isinstance(seq, int) or not 0 <= seq <= 255:
            raise ValueError("Sequence number must be an integer in [0, 255], not {!r}".format(seq))
        body = [seq, *(x & ((1 << (8 * self.in_bytes)) - 1)).to_bytes(self.in_bytes, "little")]
        return bytes([REQUEST_SYNC, *body, checksum(body)])

    def encode_response(self, seq, y, status=0, dropped=0):
        """A response frame (what the board sends; for tests and for a board model)."""
        body = [seq, status, dropped, *int(y).to_bytes(self.out_bytes, "little")]
        return bytes([RESPONSE_SYNC, *body, checksum(body)])

    def decoder(self):
        return ResponseDecoder(self)


class ResponseDecoder:
    """Incremental parser of the board's byte stream.

    ``feed(data)`` returns the complete, valid responses found so far. Bytes
    that do not start a valid frame (no sync, a bad checksum, reserved status
    bits, a ``y`` wider than the output) are skipped one at a time, so the
    decoder finds the next frame after any damage; ``discarded`` counts them.
    """

    def __init__(self, protocol):
        self._protocol = protocol
        self._buffer = bytearray()
        self.discarded = 0

    def feed(self, data):
        self._buffer += data
        out = []
        n = self._protocol.response_length
        while self._buffer:
            if self._buffer[0] != RESPONSE_SYNC:
                del self._buffer[0]
                self.discarded += 1
                continue
            if len(self._buffer) < n:
                break
            frame = bytes(self._buffer[:n])
            response = self._parse(frame)
            if response is None:
                del self._buffer[0]
                self.discarded += 1
                continue
            del self._buffer[:n]
            out.append(response)
        return out

    def _parse(self, frame):
        if sum(frame[1:]) & 0xFF:
            return None
        seq, status, dropped = frame[1], frame[2], frame[3]
        y = int.from_bytes(frame[4:-1], "little")
        if status & ~_STATUS_MASK or y >> self._protocol.output_bits:
            return None
        return Response(seq=seq, status=status, dropped=dropped, y=y)


class Ledger:
    """Account for every word sent: answered, dropped with a reason, or lost without one.

    The host sends word ``k`` with ``SEQ = k % 256`` and calls ``add`` for
    every response in the order received, then ``finish``. It assumes fewer
    than 256 consecutive words are lost at once.

    Members
    -------
    answered : dict
        Word index -> its ``Response``.
    dropped : list of (int, str)
        Word indices reported lost, with the reason: ``"overrun"`` or
        ``"line error"``.
    unexplained : list of int
        Word indices lost without a report: a protocol failure.
    problems : list of str
        Inconsistencies: a response for no word in flight, more drops
        reported than found.
    """

    def __init__(self, count):
        self.count = count
        self.answered = {}
        self.dropped = []
        self.unexplained = []
        self.problems = []
        self.reports = 0
        self.discarded_bytes = 0  # set by whoever decodes the bytes
        self._next = 0          # first word not yet accounted for
        self._overrun_credit = 0
        self._line_error = False

    @property
    def accounted(self):
        """Words before this index are answered or known lost."""
        return self._next

    def add(self, response):
        if response.overrun:
            self._overrun_credit += response.dropped
        if response.line_error:
            self._line_error = True
        if response.report:
            self.reports += 1
            return
        index = None
        for k in range(self._next, min(self._next + 256, self.count)):
            if k % 256 == response.seq:
                index = k
                break
        if index is None:
            self.problems.append("response with SEQ {} answers no word in flight".format(
                response.seq))
            return
        self._gap(self._next, index)
        self.answered[index] = response
        self._next = index + 1

    def _gap(self, start, stop):
        missing = list(range(start, stop))
        if not missing:
            return
        by_overrun = min(len(missing), self._overrun_credit)
        self._overrun_credit -= by_overrun
        self.dropped += [(k, "overrun") for k in missing[:by_overrun]]
        rest = missing[by_overrun:]
        if rest and self._line_error:
            self.dropped += [(k, "line error") for k in rest]
            self._line_error = False
        elif rest:
            self.unexplained += rest

    def finish(self):
        """Account for the words after the last answer; return ``self``."""
        self._gap(self._next, self.count)
        self._next = self.count
        if self._overrun_credit:
            self.problems.append("{} more drops reported than words missing".format(
                self._overrun_credit))
        return self

    @property
    def ok(self):
        """True when every word is answered or reported dropped, and nothing is inconsistent."""
        return not self.unexplained and not self.problems

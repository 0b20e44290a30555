"""Test vectors in files and the result of a stream run, shared by every verification bench.

The compiled benches (``sigmoid_hw.flow.verilator``'s C++ harness, ``sigmoid_hw.flow.icarus``'s
Verilog bench, ``sigmoid_hw.flow.cocotb_bench``) read their inputs and the expected
outputs from two binary files (``write_words``): one word per vector, big
endian, 4 bytes for widths up to 32 bits and 8 up to 64 (the order
Verilog's ``$fread`` fills a register in). Nothing is inlined, so 2^24
vectors cost 64 MiB of files, not 16 million lines of Verilog.

Every bench draws its input gaps and output stalls from the same seeded
generator (``xorshift64``; ``draw_sequence`` is its Python form): in each
cycle one draw for the input (``i__valid`` low when the draw is below
``threshold(gap)``; a word offered and not taken stays offered, as the
stream rules ask of a producer) and one for the output (``o__ready`` low
below ``threshold(stall)``). The same seed gives the same cycles in every
simulator, so their cycle counts agree exactly.

A bench prints one ``RESULT`` line and up to ``first`` ``MISMATCH`` lines
(``parse_result``). A word the design never delivered is *missing*, never a
mismatch; a word it delivered beyond the inputs is *extra*; a payload that
changed, or a valid that fell, before the word was taken is a *stream
error*.
"""

from dataclasses import dataclass, field, asdict
import re

import numpy as np

from sigmoid_hw.model.validate import check_int, check_real

__all__ = ["StreamResult", "word_bytes", "write_words", "threshold", "seed_state",
           "draw_sequence", "parse_result", "compare_outputs", "REPORTED_MISMATCHES",
           "DRAW_BITS"]

DRAW_BITS = 24            # a draw is the top 24 bits of the generator's state
REPORTED_MISMATCHES = 8   # mismatches a bench lists (all are counted)
_MASK64 = (1 << 64) - 1


def word_bytes(width):
    """Bytes per word in a vector file for a ``width``-bit port (4 or 8)."""
    check_int("width", width, 1, 64)
    return 4 if width <= 32 else 8


def write_words(path, values, width):
    """Write ``values`` (ints, two's complement allowed) as ``width``-bit words to ``path``."""
    size = word_bytes(width)
    words = np.asarray(values, dtype=np.int64)
    if words.size and (words.min() <= -(1 << width) or (width < 64 and
                                                         words.max() >= (1 << width))):
        raise ValueError("values must fit {} bits (two's complement allowed), not range "
                         "[{}, {}]".format(width, int(words.min()), int(words.max())))
    mask = np.uint64(_MASK64 if width == 64 else (1 << width) - 1)
    words = words.astype(np.uint64) & mask
    words.astype(">u{}".format(size)).tofile(path)
    return int(words.size)


def threshold(probability):
    """The draw below which an event of ``probability`` happens (a ``DRAW_BITS``-bit int)."""
    p = check_real("probability", probability, 0, 1, open_hi=True)
    return int(round(float(p) * (1 << DRAW_BITS)))


def seed_state(seed):
    """The generator's first state for ``seed`` (never 0, which xorshift cannot leave)."""
    check_int("seed", seed, 0, _MASK64)
    return ((seed * 0x9E3779B97F4A7C15) + 0x2545F4914F6CDD1D) & _MASK64 or 1


def draw_sequence(seed, count):
    """The first ``count`` draws of the benches' generator (for tests and replay)."""
    state = seed_state(seed)
    draws = []
    for _ in range(count):
        state ^= (state << 13) & _MASK64
        state ^= state >> 7
        state ^= (state << 17) & _MASK64
        draws.append(state >> (64 - DRAW_BITS))
    return draws


@dataclass(frozen=True)
class StreamResult:
    """What a verification run found.

    Members
    -------
    count : int
        Vectors sent.
    received : int
        Output words collected (in order).
    mismatches : int
        Collected words that differ from the model.
    missing : int
        Expected words never collected (``count - received`` when positive).
    extra : int
        Words collected beyond ``count``.
    stream_errors : int
        Cycles where ``o__valid`` fell or ``o__payload`` changed before the word was taken.
    cycles : int
        Clock cycles simulated (after reset).
    first : tuple of (index, input, got, expected)
        The first mismatches (raw words, inputs as unsigned words).
    """
    count: int
    received: int
    mismatches: int
    missing: int
    extra: int
    stream_errors: int
    cycles: int
    first: tuple = field(default=())

    @property
    def passed(self):
        """Every word collected, in order, equal to the model, and the stream rules kept."""
        return (self.received == self.count and not self.mismatches and not self.missing
                and not self.extra and not self.stream_errors)

    def as_dict(self):
        data = asdict(self)
        data["first"] = [list(m) for m in self.first]
        data["passed"] = self.passed
        return data


_RESULT = re.compile(r"^RESULT((?:\s+\w+=\d+)+)\s*$", re.M)
_MISMATCH = re.compile(r"^MISMATCH\s+(\d+)\s+([0-9a-fA-F]+)\s+([0-9a-fA-F]+)\s+([0-9a-fA-F]+)\s*$",
                       re.M)


def parse_result(text):
    """The ``StreamResult`` a bench printed (its ``RESULT`` and ``MISMATCH`` lines).

    Raises
    ------
    ValueError
        If the text holds no ``RESULT`` line (the bench did not finish); the
        message ends with the last lines of the text.
    """
    found = _RESULT.findall(text)
    if not found:
        tail = "\n".join(text.strip().splitlines()[-10:])
        raise ValueError("the bench printed no RESULT line; its output ended:\n" + tail)
    values = dict(item.split("=") for item in found[-1].split())
    numbers = {key: int(value) for key, value in values.items()}
    first = tuple((int(k), int(x, 16), int(got, 16), int(exp, 16))
                  for k, x, got, exp in _MISMATCH.findall(text))
    count, received = numbers["count"], numbers["received"]
    return StreamResult(count=count, received=min(received, count),
                        mismatches=numbers["mismatches"], missing=max(0, count - received),
                        extra=numbers["extra"], stream_errors=numbers["stream_errors"],
                        cycles=numbers["cycles"], first=first)


def compare_outputs(inputs, expected, outputs, cycles, in_width, stream_errors=0):
    """The ``StreamResult`` of collected ``outputs`` against ``expected`` (for Python benches)."""
    inputs = np.asarray(inputs, dtype=np.int64)
    expected = np.asarray(expected, dtype=np.int64)
    got = np.asarray(outputs[:len(expected)], dtype=np.int64)
    differ = np.flatnonzero(got != expected[:got.size])
    mask = (1 << in_width) - 1
    first = tuple((int(k), int(inputs[k]) & mask, int(got[k]), int(expected[k]))
                  for k in differ[:REPORTED_MISMATCHES])
    return StreamResult(count=int(expected.size), received=int(got.size),
                        mismatches=int(differ.size),
                        missing=int(expected.size - got.size),
                        extra=max(0, len(outputs) - int(expected.size)),
                        stream_errors=stream_errors, cycles=int(cycles), first=first)

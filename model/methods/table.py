"""``FunctionTable``'s plan and model: every output of the folded problem stored, no arithmetic.

The table holds ``R = round(h 2^f_out)`` for every domain point ``a`` of the
fold (``sigmoid_hw.model.methods.spec``), so the unit is correctly rounded by
construction, faithful or correct alike: its error bound is the one term
``final rounding <= 1/2 ulp``. Two things keep it small:

* the fold: a symmetric function stores half its inputs (``a = |x|``);
* the tail: where ``R`` is constant from some point ``end`` to the top of
  the domain (a sigmoid saturated, SiLU - ReLU rounded to 0), only
  ``a <= end`` is stored and the rest is that constant.

Entries are stored as ``R - base`` (``base = min R``), unsigned, ``width`` bits.

**Segments** (``segments = S``, a power of two, default 1): the stored index
``i = a - lo`` is cut by its top bits into ``S`` segments of ``D = 2^(n - k)``
points each (``n`` the bits of the largest index, ``S = 2^k``); segment ``s``
stores ``R - bases[s]`` in ``widths[s]`` bits (its own range: the sigmoid's
``R`` moves by 31,589 on ``[0, 4)`` but by 1,157 on ``[4, 8)``), and the
segments sit side by side in one memory of ``D`` words of ``sum(widths)``
bits, all read at the same address ``i mod D``; the segment ``i // D``
selects a field, which is added to its base. Every field holds ``R`` less
its base, so the unit stays correctly rounded; only the bits change
(``bits = D sum(widths)``). ``S = 1`` is the plain table (``D`` = its depth).
"""

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from sigmoid_hw.model.methods.spec import Problem
from sigmoid_hw.model.validate import check_instance

__all__ = ["TablePlan", "derive_table", "evaluate_table", "MAX_SEGMENTS"]

MAX_SEGMENTS = 256


@dataclass(frozen=True)
class TablePlan:
    """A stored table (module docstring).

    Members
    -------
    problem : Problem
    entries : tuple of int
        ``R - base`` for ``a = lo .. lo + len(entries) - 1``.
    base : int
    width : int
        Bits of one entry.
    tail : int
        ``R`` for every ``a`` past the last entry.
    segment_depth : int
        ``D``, points per segment (the memory's depth); the depth when not segmented.
    bases, widths : tuple of int
        Per stored segment (``ceil(depth / D)`` of them): its base and field width.
    segments : int
        ``S`` asked for (module docstring).
    corrections : tuple
        Always empty (the table is correctly rounded).
    error_terms : dict
        Named bounds in output ulp.
    """
    problem: Problem
    entries: tuple
    base: int
    width: int
    tail: int
    segment_depth: int = None
    bases: tuple = None
    widths: tuple = None
    segments: int = 1
    corrections: tuple = ()

    def __post_init__(self):
        if self.segment_depth is None:      # the plain table: one segment, the whole depth
            object.__setattr__(self, "segment_depth", len(self.entries))
            object.__setattr__(self, "bases", (self.base,))
            object.__setattr__(self, "widths", (self.width,))

    @property
    def depth(self):
        return len(self.entries)

    @property
    def word_bits(self):
        """Bits of one memory word: every segment's field side by side."""
        return sum(self.widths)

    @property
    def bits(self):
        """Table size in bits (``segment_depth x word_bits``)."""
        return self.segment_depth * self.word_bits

    def fields(self, index):
        """``(segment, address)`` of stored indices ``index`` (numpy int64)."""
        index = np.asarray(index, dtype=np.int64)
        return index // self.segment_depth, index % self.segment_depth

    def words(self):
        """The memory's words: segment ``s``'s field ``R - bases[s]`` at bit
        ``sum(widths[:s])``, rows past a segment's last point 0."""
        out = []
        for row in range(self.segment_depth):
            word, shift = 0, 0
            for s, (b, w) in enumerate(zip(self.bases, self.widths)):
                i = s * self.segment_depth + row
                if i < self.depth:
                    word |= (self.entries[i] + self.base - b) << shift
                shift += w
            out.append(word)
        return out

    @property
    def error_terms(self):
        return {"final rounding": Fraction(1, 2)}

    @property
    def error_bound(self):
        return sum(self.error_terms.values())


def _check_segments(segments):
    if isinstance(segments, bool) or not isinstance(segments, (int, np.integer)):
        raise TypeError("segments must be a power of two from 1 to {}, not {!r}".format(
            MAX_SEGMENTS, segments))
    if not 1 <= segments <= MAX_SEGMENTS or segments & (segments - 1):
        raise ValueError("segments must be a power of two from 1 to {}, not {!r}".format(
            MAX_SEGMENTS, segments))
    return int(segments)


def derive_table(problem, segments=1):
    """The ``TablePlan`` of ``problem``: ``R`` on the domain, the constant tail cut off,
    in ``segments`` segments (module docstring; more than the stored points allow is a
    ValueError)."""
    check_instance("problem", problem, Problem, "a Problem from sigmoid_hw.model.methods.spec.problem")
    segments = _check_segments(segments)
    r = problem.rounded
    last = r.size - 1
    while last > 0 and r[last - 1] == r[-1]:
        last -= 1
    stored = r[:last + 1]
    base = int(stored.min())
    width = max(1, int(stored.max() - base).bit_length())
    entries = tuple(int(v) - base for v in stored)
    if segments == 1:
        return TablePlan(problem, entries, base, width, int(r[-1]))
    index_bits = max(1, (len(stored) - 1).bit_length())
    if segments > 1 << (index_bits - 1):
        raise ValueError("segments must leave at least 2 points per segment of the {} "
                         "stored, not {}".format(len(stored), segments))
    depth = 1 << index_bits - segments.bit_length() + 1
    parts = [stored[k:k + depth] for k in range(0, len(stored), depth)]
    bases = tuple(int(p.min()) for p in parts)
    widths = tuple(max(1, int(p.max() - p.min()).bit_length()) for p in parts)
    return TablePlan(problem, entries, base, width, int(r[-1]), depth, bases, widths, segments)


def evaluate_table(plan, a):
    """``y_h`` at domain points ``a`` (numpy int64), what the table's read gives."""
    a = np.asarray(a, dtype=np.int64)
    index = a - plan.problem.lo
    inside = index < plan.depth
    index = np.minimum(index, plan.depth - 1)
    segment, address = plan.fields(index)
    # the word read at the address (Python ints: a word may pass 64 bits), the segment's field
    fields, shift = [], 0
    words = plan.words()
    for w in plan.widths:
        fields.append([(word >> shift) & ((1 << w) - 1) for word in words])
        shift += w
    fields = np.asarray(fields, dtype=np.int64)
    value = fields[segment, address] + np.asarray(plan.bases, dtype=np.int64)[segment]
    return np.where(inside, value, plan.tail)

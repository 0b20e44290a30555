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
"""

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from sigmoid_hw.model.methods.spec import Problem
from sigmoid_hw.model.validate import check_instance

__all__ = ["TablePlan", "derive_table", "evaluate_table"]


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
    corrections: tuple = ()

    @property
    def depth(self):
        return len(self.entries)

    @property
    def bits(self):
        """Table size in bits."""
        return self.depth * self.width

    @property
    def error_terms(self):
        return {"final rounding": Fraction(1, 2)}

    @property
    def error_bound(self):
        return sum(self.error_terms.values())


def derive_table(problem):
    """The ``TablePlan`` of ``problem``: ``R`` on the domain, the constant tail cut off."""
    check_instance("problem", problem, Problem, "a Problem from sigmoid_hw.model.methods.spec.problem")
    r = problem.rounded
    last = r.size - 1
    while last > 0 and r[last - 1] == r[-1]:
        last -= 1
    stored = r[:last + 1]
    base = int(stored.min())
    width = max(1, int(stored.max() - base).bit_length())
    return TablePlan(problem, tuple(int(v) - base for v in stored), base, width, int(r[-1]))


def evaluate_table(plan, a):
    """``y_h`` at domain points ``a`` (numpy int64), what the table's read gives."""
    a = np.asarray(a, dtype=np.int64)
    index = a - plan.problem.lo
    stored = np.asarray(plan.entries, dtype=np.int64) + plan.base
    inside = index < plan.depth
    return np.where(inside, stored[np.minimum(index, plan.depth - 1)], plan.tail)

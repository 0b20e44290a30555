"""``MultipartiteTable``'s plan and model: de Dinechin and Tisserand's multipartite method.

"Multipartite table methods" (IEEE TC 54(3), 2005; FloPoCo's
``FixFunctionByMultipartiteTable``), on the folded problem of
``sigmoid_hw.model.methods.spec``: ``h`` on the domain ``a = lo .. hi``, ``u = a - lo``
read as ``n`` bits (a folded domain ``0 .. 2^n`` clamps its one point past
the top, ``a = 2^n``, to ``2^n - 1``; the ``method`` term below covers it)::

    u = [   A (alpha bits)   |  B_(m-1)  | ... |  B_1  |  B_0  ]     B_i: beta_i bits at p_i
          [ C_i: the top gamma_i bits of A ]

    H(u) = h 2^f_out  ~  TIV(A) + sum_i s_i(C_i) (B_i - (2^beta_i - 1)/2) 2^p_i

* offset table ``i`` holds the slope ``s_i(C_i)`` (the midrange of the
  chord slopes of the ``B_i`` blocks in ``C_i``'s interval: the paper's mean
  of its two ends where ``h'`` is monotonic there) times ``B_i``'s distance
  from its middle. That is odd about the middle, so only the upper half is
  stored, ``2^(gamma_i + beta_i - 1)`` words addressed by ``C_i`` and
  ``B_i``'s low bits, XORed with ``B_i``'s inverted top bit ``b``: the table
  gives ``v`` for ``b = 1`` and ``~v = -v - 1`` for ``b = 0`` (the paper's
  sign trick, one XOR per bit, no negation);
* entries are in units of ``2^-g`` ulp (``g`` guard bits): an offset entry is
  ``floor(t)`` of its real value ``t``, so both halves are off by
  ``-1/2 +- 1/2``;
* the table of initial values: ``TIV(A)`` is the midrange over ``A``'s
  block of ``H 2^g`` minus the integer offsets (the paper takes the mean of
  ``H`` at the block's ends; the midrange is never worse), plus the final
  rounding's ``2^(g-1)``, rounded to nearest;
* ``y_h = (TIV + sum of the m offsets) >> g``: an adder tree, one
  truncation, no multiplier.

Error bound, in output ulp (``error_terms``)::

    method          max |H - (real TIV + real offsets)|   on every domain point
    tiv rounding    2^-(g+1)
    offset rounding m 2^-(g+1)
    tiv nudge       at most 16 2^-g, where a TIV word was moved (below)
    final rounding  1/2

The split (``sigmoid_hw.model.methods.multipartite_search``): for each count of offset
tables, every ``alpha`` and every composition of the other bits into the
``beta_i``; the paper's per-table estimates (eq. 5, and its second-order
form where ``C_i`` reaches ``B_i``) choose the ``gamma_i`` and rank the
splits by estimated table bits; the best few are measured on every point
(the ``method`` term is that maximum, not an estimate: the domain is
finite), given the fewest guard bits (and one more) that keep the bound
below 1/2 ulp before the final rounding, built and judged; the plan with the
fewest table bits plus ``CORRECTION_BITS`` per correction wins.

Nudges and corrections: the room left below 1/2 ulp lets a TIV word move by
a few guard units (the ``tiv nudge`` term). Correct rounding moves each to
round the most points of its block to ``R`` and corrects the rest,
``(a, R - y_h)`` where ``y_h != R`` (as ``sigmoid_hw.model.methods.spec.find_corrections``
defines them; bounds ``1/2 .. 1/16`` are each tried). A faithful
multipartite of a monotonic function can step back where ``h`` is flat (the
offsets' sawtooth): moves remove such steps, corrections to ``R`` the rest.
``evaluate_multipartite`` is the core's integer datapath; the frame
(``sigmoid_hw.model.methods.spec.unit_model``) adds the corrections.
"""

from fractions import Fraction

from sigmoid_hw.model.exact.function import Rounding
from sigmoid_hw.model.methods.multipartite_datapath import (MultipartitePlan, MultipartiteSplit,
                                                 evaluate_multipartite, multipartite_sum)
from sigmoid_hw.model.methods.multipartite_search import (CORRECTION_BITS, MAX_GUARD_BITS,
                                               ProblemTables, build_plan, plan_cost,
                                               search_plan)
from sigmoid_hw.model.methods.spec import FunctionSpec, Problem, exact_folds, problem as make_problem
from sigmoid_hw.model.validate import check_instance, check_int

__all__ = ["MultipartiteSplit", "MultipartitePlan", "derive_multipartite",
           "evaluate_multipartite", "multipartite_sum", "multipartite_plan", "MAX_TABLES",
           "MAX_GUARD_BITS", "CORRECTION_BITS"]

MAX_TABLES = 3
_CORRECT_TARGETS = (Fraction(1, 2), Fraction(1, 4), Fraction(1, 8), Fraction(1, 16))


def _check_split(split, n, tables):
    check_instance("split", split, MultipartiteSplit, "a MultipartiteSplit")
    alpha = check_int("split.alpha", split.alpha, 1, n - 1)
    if not isinstance(split.betas, tuple) or not split.betas:
        raise TypeError("split.betas must be a non-empty tuple of integers, not {!r}"
                        .format(split.betas))
    for b in split.betas:
        check_int("split.betas", b, 1, n)
    if sum(split.betas) != n - alpha:
        raise ValueError("split.betas must add up to n - alpha = {}, not {!r}".format(
            n - alpha, split.betas))
    if not isinstance(split.gammas, tuple) or len(split.gammas) != len(split.betas):
        raise TypeError("split.gammas must be a tuple of {} integers, not {!r}".format(
            len(split.betas), split.gammas))
    for c in split.gammas:
        check_int("split.gammas", c, 0, alpha)
    check_int("split.guard_bits", split.guard_bits, 0, MAX_GUARD_BITS)
    if tables is not None and tables != len(split.betas):
        raise ValueError("tables={} but split has {} offset tables".format(
            tables, len(split.betas)))


def derive_multipartite(problem, tables=None, split=None):
    """The ``MultipartitePlan`` for ``problem`` (module docstring).

    Parameters
    ----------
    problem : Problem
    tables : int or None
        Offset tables ``m`` (1: bipartite .. ``MAX_TABLES``); None tries each.
    split : MultipartiteSplit or None
        Force a split (its bound is reported, not required below 1).

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or range.
    ValueError
        No split of at most ``MAX_GUARD_BITS`` guard bits is faithful (names the spec).
    """
    check_instance("problem", problem, Problem, "a Problem from sigmoid_hw.model.methods.spec.problem")
    if tables is not None:
        tables = check_int("tables", tables, 1, MAX_TABLES)
    tab = ProblemTables(problem)
    if tab.n < 2:
        raise ValueError("{} has a domain of {} bits: too small for a multipartite table"
                         .format(problem.spec.describe(), tab.n))
    correct = problem.spec.rounding is Rounding.CORRECT
    if split is not None:
        _check_split(split, tab.n, tables)
        return build_plan(problem, tab, split, correct)
    counts = (tables,) if tables is not None else tuple(range(1, min(MAX_TABLES, tab.n - 1) + 1))
    plans = [search_plan(problem, tab, counts, target, correct)
             for target in (_CORRECT_TARGETS if correct else _CORRECT_TARGETS[:1])]
    plans = [p for p in plans if p is not None]
    if not plans:
        raise ValueError("{}: no faithful multipartite split with at most {} guard bits"
                         .format(problem.spec.describe(), MAX_GUARD_BITS))
    return min(plans, key=plan_cost)


def multipartite_plan(function, input_format=None, output_bits=16, rounding="faithful",
                      tables=None, fold=None):
    """The ``MultipartitePlan`` of a function on the first fold its record lists that is exact.

    The record lists its folds cheapest first (the smallest ``h``);
    ``fold`` (a name from ``Function.folds``) forces one; ``tables`` as
    ``derive_multipartite``.
    """
    spec = FunctionSpec.make(function, input_format, output_bits, rounding)
    folds = exact_folds(spec, fold)[:1]
    plans, errors = [], []
    for f in folds:
        try:
            plans.append(derive_multipartite(make_problem(spec, f), tables))
        except ValueError as error:
            errors.append(str(error))
    if not plans:
        raise ValueError("; ".join(errors))
    return min(plans, key=plan_cost)

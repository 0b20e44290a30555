"""What a method is asked for: a ``FunctionSpec``, and the folded ``Problem`` it solves.

A spec is a function, an input format, an output format and a rounding mode.
A method does not approximate ``f`` itself but ``h`` on the domain of a
``Fold`` (``sigmoid_hw.model.exact.function``): ``problem(spec, fold)`` gives that
domain, ``h``'s correctly rounded raw values ``R`` on it and the fractions
``h 2^f_out - R`` (from the certified ``sigmoid_hw.model.function_exact``), which every
method's derivation and proof read. ``Problem.unfold`` turns the method's
``y_h`` back into the output ``y`` with the fold's exact integer rebuild and
the function's saturation, so a method proves its bound on ``h`` once and it
holds for ``f``:

* faithful: ``|y_h - h 2^f_out| < 1`` on the domain gives ``|y - f 2^f_out| < 1``
  (the rebuild adds integers; saturation only moves ``y`` toward ``f``);
* correct: ``y_h = R`` gives ``y = round(f 2^f_out)``, saturated.
"""

from dataclasses import dataclass
import functools

import numpy as np

from sigmoid_hw.model.exact.function import Function, Rounding, function as function_record, rounding_mode
from sigmoid_hw.model.fixed import SQ, UQ, FixedFormat
from sigmoid_hw.model.function_exact import correctly_rounded, rounded_reference
from sigmoid_hw.model.validate import check_instance

__all__ = ["FunctionSpec", "Problem", "problem", "domain_bits", "exact_folds", "find_corrections",
           "apply_corrections",
           "unit_model",
           "MAX_INPUT_BITS"]

MAX_INPUT_BITS = 24     # every method's proof runs on every input


@dataclass(frozen=True)
class FunctionSpec:
    """A function to compute, its formats and rounding.

    Parameters
    ----------
    function : str, Activation or Function
    input_format : SQ
        Default ``SQ(4, 12)``; at most ``MAX_INPUT_BITS`` bits.
    output_bits : int
        W (2 .. 32): the output is ``function.output_format(input_format, W)``,
        unless ``output_format`` is given.
    rounding : ``"faithful"`` or ``"correct"``
    output_format : SQ or UQ, optional
    """
    function: Function
    input_format: FixedFormat
    output_format: FixedFormat
    rounding: Rounding

    @classmethod
    def make(cls, function, input_format=None, output_bits=16, rounding="faithful",
             output_format=None):
        fn = function_record(function)
        if input_format is None:
            input_format = SQ(4, 12)
        check_instance("input_format", input_format, SQ, "an SQ format such as SQ(4, 12)")
        if input_format.width > MAX_INPUT_BITS:
            raise ValueError("input_format must have at most {} bits, not {!r}".format(
                MAX_INPUT_BITS, input_format))
        if output_format is None:
            output_format = fn.output_format(input_format, output_bits)
        else:
            check_instance("output_format", output_format, FixedFormat,
                           "an SQ or UQ format such as UQ(0, 16)")
        return cls(fn, input_format, output_format, rounding_mode(rounding))

    def describe(self):
        return "{} {!r} -> {!r} {}".format(self.function, self.input_format,
                                           self.output_format, self.rounding)


@dataclass(frozen=True)
class Problem:
    """``h`` on the domain of one fold, for one spec (module docstring).

    Members
    -------
    spec : FunctionSpec
    fold : Fold
    lo, hi : int
        The domain: raw method inputs ``lo .. hi`` (``a = |x|``, or ``x``).
    domain_format : FixedFormat
        A format holding the domain (UQ(i, f) folded, the input's SQ unfolded).
    rounded : numpy.ndarray of int64
        ``R``: ``round(h 2^f_out)`` for every domain point, ``rounded[a - lo]``.
    frac : numpy.ndarray of float64
        ``h 2^f_out - R`` (|frac| <= 1/2).
    """
    spec: FunctionSpec
    fold: object
    lo: int
    hi: int
    domain_format: FixedFormat
    rounded: np.ndarray
    frac: np.ndarray

    @property
    def points(self):
        """Every domain point, int64."""
        return np.arange(self.lo, self.hi + 1, dtype=np.int64)

    @property
    def exact(self):
        """``h 2^f_out`` per domain point (float64: good to ~2^-52 of its size)."""
        return self.rounded.astype(np.float64) + self.frac

    def unfold(self, y_h, raw_x):
        """The output ``y`` for inputs ``raw_x`` from ``y_h`` at ``fold(raw_x)``, saturated."""
        spec = self.spec
        raw_x = np.asarray(raw_x, dtype=np.int64)
        _, negative = self.fold.fold(raw_x)
        y = self.fold.unfold(y_h, raw_x, negative, spec.input_format, spec.output_format)
        lo, hi = spec.function.saturation(spec.output_format)
        return np.clip(y, lo, hi)

    def error_ulp(self, y_h):
        """``y_h - h 2^f_out`` on every domain point (``y_h`` indexed like ``points``)."""
        return np.asarray(y_h, dtype=np.int64).astype(np.float64) - self.exact


@functools.lru_cache(maxsize=64)
def _folded_values(fn, input_format, output_format, fold):
    lo, hi = fold.domain(input_format)
    a = np.arange(lo, hi + 1, dtype=np.int64)
    if not fold.folded:
        return lo, hi, input_format, rounded_reference(fn, a, input_format, output_format)
    if fold.mirror:                 # h(a) = f(-a): -a is an input for every a
        return lo, hi, UQ(input_format.i_bits, input_format.f_bits), \
            rounded_reference(fn, -a, input_format, output_format)
    # h(a) = f(a): a = 2^(W-1) (the most negative input folded) needs one more integer bit
    r, frac = rounded_reference(fn, a[:-1], input_format, output_format)
    wide = SQ(input_format.i_bits + 1, input_format.f_bits)
    r_top, frac_top = correctly_rounded(fn, a[-1:], wide, output_format)
    return lo, hi, UQ(input_format.i_bits, input_format.f_bits), \
        (np.concatenate([r, r_top]), np.concatenate([frac, frac_top]))


def exact_folds(spec, fold=None):
    """The folds a method may use for ``spec``, cheapest first (the record's order): every
    exact one, or the one named ``fold`` (a ValueError naming the choices if it is not)."""
    folds = spec.function.folds_for(spec.input_format, spec.output_format)
    if fold is None:
        return folds
    names = [f.name for f in folds]
    if fold not in names:
        raise ValueError("fold must be one of {} for {}, not {!r}".format(
            ", ".join(repr(n) for n in names), spec.describe(), fold))
    return tuple(f for f in folds if f.name == fold)


def problem(spec, fold):
    """The ``Problem`` of ``spec`` on ``fold`` (a ``Fold`` from ``spec.function.folds_for``)."""
    check_instance("spec", spec, FunctionSpec, "a FunctionSpec")
    if fold not in spec.function.folds_for(spec.input_format, spec.output_format):
        raise ValueError("fold {!r} is not exact for {}".format(fold.name, spec.describe()))
    lo, hi, dfmt, (r, frac) = _folded_values(spec.function, spec.input_format,
                                             spec.output_format, fold)
    return Problem(spec, fold, lo, hi, dfmt, r, frac)


def find_corrections(problem, y_h):
    """``((a, delta), ...)``: every domain point where ``y_h`` is not ``R``, with ``R - y_h``.

    The correct-rounding mechanism of every method (``y_h`` from a plan whose
    bound is small, so the list is short); checked on every point, so the
    corrected ``y_h`` equals ``R`` everywhere.
    """
    y_h = np.asarray(y_h, dtype=np.int64)
    wrong = np.flatnonzero(y_h != problem.rounded)
    return tuple((int(problem.lo + k), int(problem.rounded[k] - y_h[k])) for k in wrong)


def apply_corrections(corrections, a, y_h):
    """``y_h`` with ``delta`` added where ``a`` is a corrected point (numpy int64)."""
    y = np.array(y_h, dtype=np.int64, copy=True)
    a = np.asarray(a, dtype=np.int64)
    for point, delta in corrections:
        y[a == point] += delta
    return y


def unit_model(plan, evaluate, raw_x):
    """The raw outputs of a method's unit for ``raw_x``: fold, ``evaluate(plan, a)``,
    corrections, unfold, saturation (what ``sigmoid_hw.hw.methods.folded.FoldedUnit`` computes)."""
    raw_x = np.asarray(raw_x, dtype=np.int64)
    a, _ = plan.problem.fold.fold(raw_x)
    y_h = apply_corrections(plan.corrections, a, evaluate(plan, a))
    return plan.problem.unfold(y_h, raw_x)


def domain_bits(prob):
    """``(n, extra)``: a problem's domain is ``2^n`` points, and one more when ``extra`` (the
    top of a folded domain, ``a = 2^n``), as the uniform-segment methods need it."""
    count = prob.hi - prob.lo + 1
    n = count.bit_length() - 1
    if count - (1 << n) > 1:
        raise ValueError("problem must have 2^n or 2^n + 1 domain points, not {}".format(count))
    return n, count > (1 << n)

"""``ReducedTable``'s plan and model: a table addressed by the input's top bits, no arithmetic.

The input's low ``K = input_drop`` bits are dropped: every run of ``2^K``
inputs that share their top bits (a *bin*) reads one entry, so the table has
``2^(W_in - K)`` entries instead of ``2^W_in``. Each entry is the value that
minimizes the largest error over its bin: the bin's targets ``t`` (the exact
``f(x) 2^f_out`` of every input in it, from the certified reference
``sigmoid_hw.model.function_exact``) span ``[t_min, t_max]``, an integer
``v`` is off by at most ``|v - m| + (t_max - t_min)/2`` with ``m`` the
midpoint, so ``v = round(m)`` (clamped into the output range) is the best.
For a monotonic function that is the rounded midpoint of ``f`` at the bin's
two ends; computed from every input it holds for any function, and the error
the plan reports (``error_bound``) is the largest ``|v - t|`` over every
input, in ulp of the output format (float64 of the certified values).

Two folds (``fold``):

* ``"none"``: the index is the signed input's top bits as an unsigned number
  (``x >> K`` modulo ``2^(W_in - K)``: no adder, no inverter, the entries
  are stored in that order);
* ``"ones"``: the ones' complement fold ``a = x XOR sign`` (``|x| - 1`` for
  ``x < 0``: one XOR per index bit, no carry chain), half the entries; for an
  odd function (tanh) or a complement one in ``UQ(0, W)`` (sigmoid) the
  output is ``v XOR sign`` too (``-v - 1``, or ``2^W - 1 - v``): the entry
  then serves the targets ``f(a)`` and ``f(a + 1) - 1`` (in ulp), whose
  spread costs up to 1/2 ulp more than ``"none"``; for an even function only
  the input is folded.

An entry is stored as its raw bits without the high bits every entry shares
(constants in the gateware), ``width`` bits.
"""

from dataclasses import dataclass
import functools

import numpy as np

from sigmoid_hw.model.exact.function import Symmetry
from sigmoid_hw.model.function_exact import rounded_reference
from sigmoid_hw.model.methods.spec import FunctionSpec
from sigmoid_hw.model.validate import check_choice, check_instance, check_int

__all__ = ["ReducedTablePlan", "derive_reduced_table", "evaluate_reduced_table",
           "reduced_table_folds", "REDUCED_FOLDS", "largest_input_drop", "meets_rounding",
           "reduced_table_options"]

REDUCED_FOLDS = ("none", "ones")


def reduced_table_folds(spec):
    """The folds ``spec``'s function allows, ``"none"`` first (module docstring)."""
    sym = spec.function.symmetry
    out = spec.output_format
    if sym in (Symmetry.ODD, Symmetry.EVEN) or (
            sym is Symmetry.COMPLEMENT and not out.signed and out.i_bits == 0):
        return REDUCED_FOLDS
    return ("none",)


@dataclass(frozen=True)
class ReducedTablePlan:
    """A reduced-input table (module docstring).

    Members
    -------
    spec : FunctionSpec
    input_drop : int
        ``K``: input bits below the index.
    fold : ``"none"`` or ``"ones"``
    flip_output : bool
        The output is ``v XOR sign`` (``"ones"`` on an odd or complement function).
    entries : tuple of int
        The stored low ``width`` bits of each entry's raw output, by index.
    high : int
        The raw bits above ``width`` every entry shares (already shifted into place).
    width : int
    error_bound : float
        The largest error over every input, in ulp of the output format.
    corrections : tuple
        Always empty.
    """
    spec: FunctionSpec
    input_drop: int
    fold: str
    flip_output: bool
    entries: tuple
    high: int
    width: int
    error_bound: float
    corrections: tuple = ()

    @property
    def depth(self):
        return len(self.entries)

    @property
    def index_bits(self):
        return (self.depth - 1).bit_length()

    @property
    def bits(self):
        """Table size in bits."""
        return self.depth * self.width


def _index(spec, fold, input_drop, raw_x):
    """``(index, negative)`` per input: the bin each input reads, and its sign."""
    x = np.asarray(raw_x, dtype=np.int64)
    w = spec.input_format.width
    negative = x < 0
    if fold == "none":
        return (x >> input_drop) & ((1 << (w - input_drop)) - 1), negative
    a = np.where(negative, ~x, x)               # x XOR sign: |x| - 1 below 0
    return a >> input_drop, negative


def _flip_mask(spec):
    return (1 << spec.output_format.width) - 1


def _to_value(spec, raw):
    """Raw output bits (non-negative, ``width`` bits) as the format's integer."""
    out = spec.output_format
    raw = np.asarray(raw, dtype=np.int64)
    if not out.signed:
        return raw
    return np.where(raw >> (out.width - 1) & 1, raw - (1 << out.width), raw)


def _flip_value(spec, v):
    """``v XOR`` all ones of the output width, as a value: ``-v - 1`` signed,
    ``2^W - 1 - v`` unsigned."""
    return (-v - 1) if spec.output_format.signed else (_flip_mask(spec) - v)


@functools.lru_cache(maxsize=64)
def _plan(fn, input_format, output_format, rounding, input_drop, fold):
    spec = FunctionSpec(fn, input_format, output_format, rounding)
    x = input_format.raw_range()
    r, frac = rounded_reference(fn, x, input_format, output_format)
    t = r.astype(np.float64) + frac
    flip = fold == "ones" and fn.symmetry is not Symmetry.EVEN
    negative = x < 0
    target = np.where(negative, _flip_value(spec, t), t) if flip else t
    run = 1 << input_drop
    if fold == "none":
        # the inputs in order are the bins in order (2^K each), from index (min >> K) mod depth
        depth = 1 << (input_format.width - input_drop)
        blocks = target.reshape(-1, run)
        order = ((input_format.min >> input_drop) + np.arange(depth)) & (depth - 1)
        t_min, t_max = np.empty(depth), np.empty(depth)
        t_min[order], t_max[order] = blocks.min(axis=1), blocks.max(axis=1)
    else:
        # a = x for x >= 0 (ascending), a = ~x for x < 0 (ascending as x descends)
        half = x.size // 2
        pos = target[half:].reshape(-1, run)
        neg = target[:half][::-1].reshape(-1, run)
        t_min = np.minimum(pos.min(axis=1), neg.min(axis=1))
        t_max = np.maximum(pos.max(axis=1), neg.max(axis=1))
    index, _ = _index(spec, fold, input_drop, x)
    lo, hi = fn.saturation(output_format)
    # the outputs v gives stay in the saturation range, on both sides if flipped
    v_lo, v_hi = (max(lo, _flip_value(spec, hi)), min(hi, _flip_value(spec, lo))) if flip \
        else (lo, hi)
    # K = 0: each bin one input, its entry the correctly rounded value (no float tie)
    mid = r.astype(np.float64)[np.argsort(index)] if input_drop == 0 and fold == "none" \
        else np.round((t_min + t_max) / 2)
    v = np.clip(mid, v_lo, v_hi).astype(np.int64)
    y = v[index]
    if flip:
        y = np.where(negative, _flip_value(spec, y), y)
    error = float(np.abs(y.astype(np.float64) - t).max())
    raw = v & _flip_mask(spec)
    lo_raw, hi_raw = int(raw.min()), int(raw.max())
    width = max(1, (lo_raw ^ hi_raw).bit_length())
    low = (1 << width) - 1
    return ReducedTablePlan(spec, input_drop, fold, flip, tuple(int(e) for e in raw & low),
                            lo_raw & ~low, width, error)


def derive_reduced_table(spec, input_drop, fold="none"):
    """The ``ReducedTablePlan`` of ``spec`` (a ``FunctionSpec``) dropping ``input_drop`` input
    bits, on ``fold`` (module docstring)."""
    check_instance("spec", spec, FunctionSpec, "a FunctionSpec")
    fold = check_choice("fold", fold, reduced_table_folds(spec))
    top = spec.input_format.width - 1 - (fold == "ones")
    input_drop = check_int("input_drop", input_drop, 0, top)
    return _plan(spec.function, spec.input_format, spec.output_format, spec.rounding,
                 input_drop, fold)


def evaluate_reduced_table(plan, raw_x):
    """The raw outputs for inputs ``raw_x`` (numpy int64), what the gateware gives."""
    spec = plan.spec
    index, negative = _index(spec, plan.fold, plan.input_drop, raw_x)
    raw = np.asarray(plan.entries, dtype=np.int64)[index] | plan.high
    if plan.flip_output:
        raw = np.where(negative, raw ^ _flip_mask(spec), raw)
    return _to_value(spec, raw)


def largest_input_drop(spec, fold, accept, smallest=0):
    """The largest ``K >= smallest`` whose plan ``accept(plan)`` takes, or None: a bisection
    (merging bins never lowers the spread a bin's entry serves, so the error grows with
    ``K``; the caller's proof checks the plan it takes on every input)."""
    top = spec.input_format.width - 1 - (fold == "ones")
    smallest = check_int("smallest", smallest, 0, top)
    if not accept(derive_reduced_table(spec, smallest, fold)):
        return None
    lo, hi = smallest, top + 1            # accept(lo); hi is past the last tried
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if accept(derive_reduced_table(spec, mid, fold)):
            lo = mid
        else:
            hi = mid
    return lo


def meets_rounding(spec):
    """``accept(plan)`` for ``spec.rounding``: faithful (every error < 1 ulp) or correct (every
    output the certified ``round(f 2^f_out)``, saturated)."""
    if str(spec.rounding) == "faithful":
        return lambda plan: plan.error_bound < 1
    x = spec.input_format.raw_range()
    r, _ = rounded_reference(spec.function, x, spec.input_format, spec.output_format)
    rounded = np.clip(r, *spec.function.saturation(spec.output_format))
    return lambda plan: bool((evaluate_reduced_table(plan, x) == rounded).all())


def reduced_table_options(function, input_format, output_bits, accuracy, max_drop_bits=0):
    """The reduced tables worth building for an accuracy (``sigmoid-hw generate``), as option
    dicts (``rounding``, ``input_drop``, ``fold``, ``drop_bits``), at most 2^16 entries each,
    on every fold the function allows: for ``"faithful"`` or ``"correct"`` the largest input
    drop that keeps the table so; for a number of ulp, at each output drop ``p`` (from
    ``max_drop_bits`` down to 0) the largest input drop whose ``error_bound 2^p`` is within
    it, unless more dropped output bits drop as many input bits (fewer bits cost no more)."""
    out, widest = [], {}
    numeric = not isinstance(accuracy, str)
    for p in range(max_drop_bits, -1, -1) if numeric else (0,):
        inner = FunctionSpec.make(function, input_format, output_bits - p,
                                  "faithful" if numeric else accuracy)
        accept = (lambda plan, p=p: plan.error_bound * 2 ** p <= accuracy) if numeric \
            else meets_rounding(inner)
        for fold in reduced_table_folds(inner):
            smallest = max(0, input_format.width - (fold == "ones") - 16)
            k = largest_input_drop(inner, fold, accept, smallest)
            if k is not None and k > widest.get(fold, -1):
                widest[fold] = k
                out.append(dict(rounding=str(inner.rounding), input_drop=k, fold=fold,
                                **({"drop_bits": p} if p else {})))
    return out

"""``derive_unit``: the sigmoid core and the per-function maps of tanh, sigmoid', SiLU and sigmoid.

For input SQ(i, f) and W output bits the functions' output formats are::

    sigmoid   UQ(0, W)        y = raw / 2^W
    tanh      SQ(1, W-1)      odd: saturates at +-(2^(W-1) - 1)
    dsigmoid  UQ(-1, W+1)     the range (0, 1/4] at W+1 fraction bits (17 for W = 16)
    silu      SQ(i, W-i)      the input's integer bits (SQ(4, 12) for the default)

Each function needs ``R`` core output bits: W for sigmoid and tanh (their
rounding is the core's), and for sigmoid' and SiLU enough more that the bound
of ``sigmoid_hw.model.function_params`` is at most ``2^-g`` ulp before the final
rounding: ``R = W + 1 + g`` (sigmoid'), ``R = (W - i) + (i - 1) + g``
(SiLU, |x| < 2^(i-1); g at least 3, which keeps it monotonic above its
minimum). ``g = 2`` (budget 1/4: faithful, total < 3/4 ulp);
for correct rounding ``g = 8`` for 16-bit inputs (budget ``min(1/4, 2^7 /
2^(W_in - 1))``, as ``sigmoid_hw.model.widths``), and the few inputs that still round
the wrong way are corrected (``sigmoid_hw.model.function_rounding``). A unit sizes its
core for the union: ``Fc = max R``, input SQ(i+1, f) when tanh is listed
(so that x and 2x fit); a function whose ``R`` is below ``Fc`` rounds the
core's output once more.
"""

from fractions import Fraction

from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.exact.function import FUNCTIONS as RECORDS, Method, function as function_record
from sigmoid_hw.model.function_exact import saturation_range
from sigmoid_hw.model.function_params import FunctionMap, UnitParams
from sigmoid_hw.model.function_rounding import find_post_corrections
from sigmoid_hw.model.params import PipelineParams, ROUNDING_MODES
from sigmoid_hw.model.plan import plan_for
from sigmoid_hw.model.validate import check_choice, check_instance, check_int
from sigmoid_hw.model.widths import derive_params

__all__ = ["derive_unit", "derive_function", "output_format_of", "error_bound", "FUNCTIONS"]

# the functions the seed's pipeline serves (its core is the sigmoid; the records say which)
FUNCTIONS = tuple(name.value for name, record in RECORDS.items()
                  if Method.PIPELINE in record.methods)

_MAX_CORE_BITS = 30      # products of the post-multiplier stay within int64
_MAX_CORRECT_WIDTH = 20  # correct post-rounding searches every input


def output_format_of(function, input_format, output_bits):
    """The output format of ``function`` for W = ``output_bits``: its record's
    (``sigmoid_hw.model.exact.function.Function.output_format``, the module docstring's table)."""
    return function_record(function).output_format(input_format, output_bits)


def error_bound(params, function):
    """Proven bound on |y - f(x) 2^f_out| in ulp: the bound before rounding plus 1/2."""
    return params.maps[params.functions.index(function)].bound + Fraction(1, 2)


def _check_functions(functions):
    if isinstance(functions, str) or not isinstance(functions, (tuple, list)) or not functions:
        raise TypeError("functions must be a non-empty tuple of names from {}, not {!r}"
                        .format(FUNCTIONS, functions))
    for name in functions:
        check_choice("functions", name, FUNCTIONS)
    if len(set(functions)) != len(functions):
        raise ValueError("functions must not repeat a name, not {!r}".format(tuple(functions)))
    return tuple(functions)


def _required_bits(function, input_format, output_bits, g):
    if function in ("sigmoid", "tanh"):
        return output_bits
    if function == "dsigmoid":
        return output_bits + 1 + g
    # SiLU rises slowly above its minimum (x = -1.278): with the faithful budget the
    # rounded product stepped down there; one more bit keeps the default monotonic
    # (checked on every input by tests/test_functions_model.py)
    return output_bits - 1 + max(g, 3)


def _core_params(core_format, Fc, correct_core):
    return derive_params(core_format, Fc, rounding="correct" if correct_core else "faithful")


def derive_unit(functions=("sigmoid", "tanh"), input_format=None, output_bits=16,
                rounding="faithful", *, core=None):
    """The core and one ``FunctionMap`` per function, every bound met.

    Parameters
    ----------
    functions : tuple of str
        Names from ``FUNCTIONS``; the word's ``function`` field indexes them.
    input_format : SQ
        Default ``SQ(4, 12)``; at least 2 fraction bits when tanh is listed.
    output_bits : int
        W, the width of every function's output (2 .. 32).
    rounding : ``"faithful"`` or ``"correct"``
    core : PipelineParams, optional
        A core to use instead of the derived one (e.g. another unit's, so that
        the two give the same words); it must hold every function's input and
        meet its bound.

    Raises
    ------
    TypeError, ValueError
        Naming the parameter and its value.
    """
    functions = _check_functions(functions)
    if input_format is None:
        input_format = SQ(4, 12)
    check_instance("input_format", input_format, SQ, "an SQ format such as SQ(4, 12)")
    output_bits = check_int("output_bits", output_bits, 2, 32)
    check_choice("rounding", rounding, ROUNDING_MODES)
    correct = rounding == "correct"
    i, f = input_format.i_bits, input_format.f_bits
    tanh = "tanh" in functions
    if tanh and f < 2:
        raise ValueError("input_format {!r} must have at least 2 fraction bits for tanh (2x "
                         "keeps f - 1)".format(input_format))
    budget = (min(Fraction(1, 4), Fraction(1 << 7, 1 << (input_format.width - 1)))
              if correct else Fraction(1, 4))
    g = budget.denominator.bit_length() - 1     # budget = 2^-g
    formats = [output_format_of(name, input_format, output_bits) for name in functions]
    required = [_required_bits(name, input_format, output_bits, g) for name in functions]
    if core is None:
        Fc = max(required)
        # a sigmoid or tanh that rounds the core's output again needs g bits more for it
        plain = [r for name, r in zip(functions, required) if name in ("sigmoid", "tanh")]
        if correct and any(0 < Fc - r < g for r in plain):
            Fc = max(r + g for r in plain)
        if Fc > _MAX_CORE_BITS:
            raise ValueError("output_bits={} needs a {}-bit core, above {}".format(
                output_bits, Fc, _MAX_CORE_BITS))
        core_format = SQ(i + 1 if tanh else i, f if set(functions) - {"tanh"} else f - 1)
        correct_core = correct and any(name in ("sigmoid", "tanh") and r == Fc
                                       for name, r in zip(functions, required))
        core = _core_params(core_format, Fc, correct_core)
    else:
        check_instance("core", core, PipelineParams, "PipelineParams from derive_params")
    Fc, cf = core.output_bits, core.input_format
    maps = []
    for name, fmt, r in zip(functions, formats, required):
        doubling = 1 if name == "tanh" else 0
        input_shift = cf.f_bits - f + doubling
        if input_shift < 0 or cf.i_bits < i + doubling or Fc < r \
                or Fc > _MAX_CORE_BITS:
            raise ValueError("core {} cannot compute {} of {} at {} bits".format(
                core.describe(), name, input_format, output_bits))
        shift = {"dsigmoid": 2 * Fc - fmt.f_bits, "silu": f + Fc - fmt.f_bits}.get(name, Fc - r)
        if shift == 0:
            bound = plan_for(core).error_bound
        elif name == "dsigmoid":
            bound = Fraction(1 << fmt.f_bits, 1 << Fc)
        elif name == "silu":
            bound = Fraction(1 << (input_format.width - 1), 1 << shift)
        else:
            bound = Fraction(1, 1 << shift)
        if bound > (budget if correct and shift else Fraction(1, 2)):
            raise ValueError("core {} leaves {} an error bound of {:.4f} ulp before rounding"
                             .format(core.describe(), name, float(bound)))
        if correct and shift == 0 and core.rounding != "correct":
            raise ValueError("rounding='correct' needs a correctly rounded core for {}, not "
                             "{}".format(name, core.describe()))
        lo, hi = saturation_range(name, fmt)
        maps.append(FunctionMap(name, fmt, input_shift,
                                {"dsigmoid": "complement", "silu": "x"}.get(name, "one"),
                                -(1 << (Fc - 1)) if name == "tanh" else 0, shift, lo, hi, (),
                                bound))
    params = UnitParams(input_format, tuple(maps), core, rounding)
    if correct:
        for k, fm in enumerate(maps):
            if fm.shift == 0:
                continue
            if input_format.width > _MAX_CORRECT_WIDTH:
                raise ValueError("rounding='correct' for {} needs an input of at most {} bits, "
                                 "not {!r}".format(fm.function, _MAX_CORRECT_WIDTH, input_format))
            maps[k] = fm.with_corrections(find_post_corrections(params, k))
        params = UnitParams(input_format, tuple(maps), core, rounding)
    return params


def derive_function(function, input_format=None, output_bits=16, rounding="faithful", *,
                    core=None):
    """``derive_unit`` of one function (the parameters of ``TanhPipeline`` and the like)."""
    check_choice("function", function, FUNCTIONS)
    return derive_unit((function,), input_format, output_bits, rounding, core=core)

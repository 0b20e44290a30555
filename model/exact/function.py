"""One ``Function`` record per activation: what a method needs to know of it, in one place.

FloPoCo's ``FixFunction`` in this project's terms. A method (``Method``)
never branches on a function's name: it reads the record's ``folds`` (how
the input may be folded by the symmetry and the output rebuilt), its
``output_format`` and ``saturation``, and asks ``sigmoid_hw.model.function_exact`` for
the certified exact value. Strings are accepted once, at the boundary
(``function("gelu")``, ``Method("table")``, ``Rounding("correct")``), the
way ``amaranth.lib.io.Direction`` is; enum members are used after that.

The functions, with input ``x`` in SQ(i, f) and ``W`` output bits
(the default output format of each, for SQ(4, 12) and W = 16 in brackets)::

    sigmoid   1 / (1 + e^-x)                      UQ(0, W)      [UQ(0,16)]
    tanh      (e^x - e^-x) / (e^x + e^-x)          SQ(1, W-1)    [SQ(1,15)]
    dsigmoid  s(x) (1 - s(x))                      UQ(-1, W+1)   [UQ(-1,17)]
    silu      x s(x)                               SQ(i, W-i)    [SQ(4,12)]
    gelu      x Phi(x) = x erfc(-x/sqrt2) / 2      SQ(i, W-i)    [SQ(4,12)]
    elu       x (x >= 0), e^x - 1 (x < 0)          SQ(i, W-i)    [SQ(4,12)]
    dtanh     1 - tanh(x)^2                        UQ(1, W-1)    [UQ(1,15)]
    dsilu     s(x) (1 + x (1 - s(x)))              SQ(2, W-2)    [SQ(2,14)]
    dgelu     Phi(x) + x phi(x)                    SQ(2, W-2)    [SQ(2,14)]

Each format holds the function's range over any input range (SiLU, GELU, ELU
have |f(x)| <= |x| < 2^(i-1); sigmoid' <= 1/4; tanh' <= 1; SiLU' and GELU'
lie in (-0.13, 1.13)), at the finest ulp that does.

Folds
-----
A folded method approximates ``h`` on ``a = |x|`` (raw ``0 .. 2^(W_in-1)``:
the most negative input folds to one past the largest) and rebuilds the
output with exact integer operations, so a faithful or correctly rounded
``h`` gives a faithful or correctly rounded ``f``::

    y = k_h y_h + k_a a' + c 2^f_out,   a' = a 2^(f_out - f_in)

with ``(k_h, k_a, c)`` one triple for ``x >= 0`` and one for ``x < 0``:

    complement  h = f(a)    (1,0,0) | (-1,0,1)    sigmoid, SiLU', GELU'
    odd         h = f(a)    (1,0,0) | (-1,0,0)    tanh
    even        h = f(a)    (1,0,0) | (1,0,0)     sigmoid', tanh'
    minus_x     h = f(a)    (1,0,0) | (1,-1,0)    f(-x) = f(x) - x: SiLU, GELU
    delta_relu  h = f(-a)   (1,1,0) | (1,0,0)     f - ReLU, which is even: SiLU, GELU
    relu_left   h = f(-a)   (0,1,0) | (1,0,0)     f = x for x >= 0: ELU
    none        h = f(x) on the signed input, no fold

``delta_relu`` is ALPHA's "deltaReLU": ``h`` is small (|h| < 0.28 for SiLU,
< 0.17 for GELU) and rounds to 0 beyond a few units of x, so its tables are
narrow and short; ``relu_left`` is the same for ELU, whose ``h`` is only used
left of 0. Folds with ``k_a != 0`` need ``f_out >= f_in`` (``a'`` an
integer); ``Function.folds_for`` lists those that are exact for the formats.
"""

import enum
from dataclasses import dataclass

from sigmoid_hw.model.fixed import SQ, UQ, FixedFormat
from sigmoid_hw.model.validate import check_instance, check_int

__all__ = ["Activation", "Symmetry", "Method", "Rounding", "Fold", "Function", "FUNCTIONS",
           "FUNCTION_NAMES", "function", "rounding_mode", "FOLDS"]


class _Named(enum.Enum):
    """An enum whose members print as their value; built from a value or a member."""

    def __str__(self):
        return self.value

    def __format__(self, spec):
        return format(self.value, spec)

    @classmethod
    def parse(cls, name, value):
        """The member for ``value`` (a member or its string), else TypeError/ValueError naming ``name``."""
        if isinstance(value, cls):
            return value
        choices = ", ".join(repr(m.value) for m in cls)
        if not isinstance(value, str):
            raise TypeError("{} must be one of {}, not {!r}".format(name, choices, value))
        try:
            return cls(value)
        except ValueError:
            raise ValueError("{} must be one of {}, not {!r}".format(name, choices, value)) \
                from None


class Activation(_Named):
    SIGMOID = "sigmoid"
    TANH = "tanh"
    DSIGMOID = "dsigmoid"
    SILU = "silu"
    GELU = "gelu"
    ELU = "elu"
    DTANH = "dtanh"
    DSILU = "dsilu"
    DGELU = "dgelu"


class Symmetry(_Named):
    """How ``f(-x)`` relates to ``f(x)``."""
    COMPLEMENT = "complement"   # f(-x) = 1 - f(x)
    ODD = "odd"                 # f(-x) = -f(x)
    EVEN = "even"               # f(-x) = f(x)
    MINUS_X = "minus_x"         # f(-x) = f(x) - x
    NONE = "none"


class Method(_Named):
    """How a function is computed (``sigmoid_hw.hw.designs`` has one design per method)."""
    PIPELINE = "pipeline"           # the seed's reduction, bit pattern and Horner
    TABLE = "table"                 # every output stored
    MULTIPARTITE = "multipartite"   # initial values plus offset tables, no multiplier
    PIECEWISE = "piecewise"         # a polynomial per uniform segment, Horner


class Rounding(_Named):
    FAITHFUL = "faithful"   # |error| < 1 ulp
    CORRECT = "correct"     # round to nearest, every input


def rounding_mode(value):
    """``Rounding`` from a member or ``"faithful"``/``"correct"`` (parameter ``rounding``)."""
    return Rounding.parse("rounding", value)


@dataclass(frozen=True)
class Fold:
    """How a folded method rebuilds ``f`` from ``h`` (module docstring).

    Members
    -------
    name : str
    folded : bool
        False: ``h = f`` on the signed input (no fold).
    mirror : bool
        ``h(a) = f(-a)`` (True) or ``f(a)``.
    positive, negative : tuple of (int, int, int)
        ``(k_h, k_a, c)`` for ``x >= 0`` and ``x < 0``.
    """
    name: str
    folded: bool
    mirror: bool
    positive: tuple
    negative: tuple

    @property
    def uses_x(self):
        """Whether the rebuild adds a multiple of the input (needs f_out >= f_in)."""
        return self.positive[1] != 0 or self.negative[1] != 0

    def domain(self, input_format):
        """``(lo, hi)``: the raw range of the method's input (``a``, or ``x`` unfolded)."""
        if not self.folded:
            return input_format.min, input_format.max
        return 0, -input_format.min

    def fold(self, raw_x):
        """``(a, negative)``: the method's input and the sign (numpy arrays, int64/bool)."""
        import numpy as np
        x = np.asarray(raw_x, dtype=np.int64)
        if not self.folded:
            return x, np.zeros(x.shape, dtype=bool)
        return np.abs(x), x < 0

    def unfold(self, y_h, raw_x, negative, input_format, output_format):
        """The raw output ``y`` (before saturation) from ``y_h`` (numpy, int64)."""
        import numpy as np
        y_h = np.asarray(y_h, dtype=np.int64)
        a = np.abs(np.asarray(raw_x, dtype=np.int64))
        shift = output_format.f_bits - input_format.f_bits
        if self.uses_x and shift < 0:
            raise ValueError("fold {!r} needs f_out >= f_in, not {!r} -> {!r}".format(
                self.name, input_format, output_format))
        a_out = a << max(shift, 0)
        one = 1 << output_format.f_bits
        out = np.empty(y_h.shape, dtype=np.int64)
        for sel, (k_h, k_a, c) in ((~negative, self.positive), (negative, self.negative)):
            out[sel] = k_h * y_h[sel] + k_a * a_out[sel] + c * one
        return out


FOLDS = {
    "complement": Fold("complement", True, False, (1, 0, 0), (-1, 0, 1)),
    "odd": Fold("odd", True, False, (1, 0, 0), (-1, 0, 0)),
    "even": Fold("even", True, False, (1, 0, 0), (1, 0, 0)),
    "minus_x": Fold("minus_x", True, False, (1, 0, 0), (1, -1, 0)),
    "delta_relu": Fold("delta_relu", True, True, (1, 1, 0), (1, 0, 0)),
    "relu_left": Fold("relu_left", True, True, (0, 1, 0), (1, 0, 0)),
    "none": Fold("none", False, False, (1, 0, 0), (1, 0, 0)),
}


def _like_input(input_format, bits):
    i = input_format.i_bits
    if bits <= i:
        raise ValueError("output_bits must exceed the input's {} integer bits, not {}"
                         .format(i, bits))
    return SQ(i, bits - i)


_OUTPUT = {
    "unit": lambda fmt, w: UQ(0, w),
    "signed_unit": lambda fmt, w: SQ(1, w - 1),
    "quarter": lambda fmt, w: UQ(-1, w + 1),
    "like_input": _like_input,
    "unit_closed": lambda fmt, w: UQ(1, w - 1),
    "signed_two": lambda fmt, w: SQ(2, w - 2),
}


@dataclass(frozen=True)
class Function:
    """One activation function (module docstring).

    Members
    -------
    name : Activation
    formula : str
    symmetry : Symmetry
    folds : tuple of str
        Keys of ``FOLDS`` a method may use, cheapest first; ``"none"`` always last.
    monotonic : bool
        Non-decreasing on every input range (checked on every input by the tests).
    methods : frozenset of Method
    output_kind : str
        A key of the output-format rules (``output_format``).
    symmetric_saturation : bool
        Saturates at ``+-max`` (tanh: stays odd) rather than the format's ends.
    """
    name: Activation
    formula: str
    symmetry: Symmetry
    folds: tuple
    monotonic: bool
    methods: frozenset
    output_kind: str
    symmetric_saturation: bool = False

    def __str__(self):
        return self.name.value

    def output_format(self, input_format, output_bits=16):
        """The default output format for ``output_bits`` bits (module docstring)."""
        check_instance("input_format", input_format, FixedFormat,
                       "an SQ format such as SQ(4, 12)")
        output_bits = check_int("output_bits", output_bits, 2, 32)
        return _OUTPUT[self.output_kind](input_format, output_bits)

    def saturation(self, output_format):
        """``(lo, hi)``: the raw outputs a design of this function gives."""
        if self.symmetric_saturation:
            return -output_format.max, output_format.max
        return output_format.min, output_format.max

    def folds_for(self, input_format, output_format):
        """The ``Fold`` records that are exact for these formats, cheapest first."""
        exact = output_format.f_bits >= input_format.f_bits
        return tuple(FOLDS[n] for n in self.folds if exact or not FOLDS[n].uses_x)

    def serves(self, method):
        return Method.parse("method", method) in self.methods


_ALL = frozenset(Method)
_TABLES = frozenset({Method.TABLE, Method.MULTIPARTITE, Method.PIECEWISE})

FUNCTIONS = {f.name: f for f in (
    Function(Activation.SIGMOID, "1 / (1 + exp(-x))", Symmetry.COMPLEMENT,
             ("complement", "none"), True, _ALL, "unit"),
    Function(Activation.TANH, "tanh(x)", Symmetry.ODD, ("odd", "none"), True, _ALL,
             "signed_unit", symmetric_saturation=True),
    Function(Activation.DSIGMOID, "s(x) (1 - s(x))", Symmetry.EVEN, ("even", "none"), False,
             _ALL, "quarter"),
    Function(Activation.SILU, "x s(x)", Symmetry.MINUS_X, ("delta_relu", "minus_x", "none"),
             False, _ALL, "like_input"),
    Function(Activation.GELU, "x Phi(x)", Symmetry.MINUS_X, ("delta_relu", "minus_x", "none"),
             False, _TABLES, "like_input"),
    Function(Activation.ELU, "x if x >= 0 else exp(x) - 1", Symmetry.NONE,
             ("relu_left", "none"), True, _TABLES, "like_input"),
    Function(Activation.DTANH, "1 - tanh(x)^2", Symmetry.EVEN, ("even", "none"), False,
             _TABLES, "unit_closed"),
    Function(Activation.DSILU, "s(x) (1 + x (1 - s(x)))", Symmetry.COMPLEMENT,
             ("complement", "none"), False, _TABLES, "signed_two"),
    Function(Activation.DGELU, "Phi(x) + x phi(x)", Symmetry.COMPLEMENT,
             ("complement", "none"), False, _TABLES, "signed_two"),
)}

FUNCTION_NAMES = tuple(a.value for a in Activation)


def function(name):
    """The ``Function`` record for ``name`` (a string, an ``Activation`` or a record)."""
    if isinstance(name, Function):
        return name
    return FUNCTIONS[Activation.parse("function", name)]

# amaranth: UnusedElaboratable=no
"""The buildable designs, by name, for every command (``synth``, ``build``, ``compare``, ...).

Each design is one ``Design`` record: its name, a one-line description, a
factory that takes keyword options and returns a fresh ``wiring.Component``
with stream ports ``i`` and ``o``, the options it takes (read from the
factory's signature), its kind, and its bit-exact integer model. Commands
never guess what a component is: they ask its record.

Options a user may give on a command line are ``input_format`` (an ``SQ`` or
text such as ``"SQ(4,12)"``), ``output_bits``, ``order``, ``coefficients``,
``reuse`` and ``multiplier_width`` (the pipeline and function designs:
multiply-adds per Horner multiplier, its DSP port width; both on the
``piecewise`` design too) and ``threshold``;
``make_design`` rejects the others by name.

To add a design, write a factory that imports its gateware *inside* the
function (so that listing the designs imports no gateware) and a model
function, and add one record::

    def _pwl(input_format=SQ(4, 12), output_bits=16):
        from sigmoid_hw.hw.baselines.pwl import PiecewiseLinearSigmoid
        return PiecewiseLinearSigmoid(input_format=_format(input_format),
                                      output_bits=output_bits)

    register(Design("pwl", "a piecewise-linear sigmoid (baseline)", _pwl, "baseline",
                    lambda component, raw: pwl_sigmoid(raw)))
"""

from dataclasses import dataclass
import inspect

import numpy as np

from sigmoid_hw.model.exact.function import FUNCTION_NAMES
from sigmoid_hw.model.fixed import FixedFormat, SQ, parse_format

__all__ = ["Design", "DESIGNS", "DEFAULT_DESIGN", "KINDS", "design", "make_design",
           "design_options", "register", "computed_function", "method_design_of"]

KINDS = ("pipeline", "comparator", "baseline", "function", "unit", "method")


def _format(value):
    if isinstance(value, FixedFormat):
        return value
    if isinstance(value, str):
        return parse_format(value)
    raise TypeError("input_format must be an SQ format or text like 'SQ(4,12)', not {!r}"
                    .format(value))


@dataclass(frozen=True)
class Design:
    """One buildable design.

    Members
    -------
    name : str
    description : str
        One line, for tables and ``--help``.
    factory : callable
        ``factory(**options) -> wiring.Component``.
    kind : ``"pipeline"``, ``"comparator"``, ``"baseline"``, ``"function"`` or ``"unit"``
        A function (tanh, sigmoid', SiLU) has ``params`` (``UnitParams``,
        not ``PipelineParams``), ``plan`` (its core's), ``registers``,
        ``input_format`` and ``output_format``; a unit (``ActivationUnit``)
        has struct payloads ``{x, function}`` / ``{y, function}``,
        ``functions`` and ``output_formats``, and its model takes
        ``function=`` (indices). A pipeline has ``params``, ``plan`` and ``registers``; a comparator
        has ``limit_value`` (``None`` when programmable) and a 1-bit output;
        a baseline has a fixed interface, SQ(4,12) in and ``output_format``
        (UQ(0,16), or SQ(1,15) for tanh) out, both properties.
    model : callable
        ``model(component, raw_inputs) -> numpy array`` of the raw outputs
        the component gives, bit for bit (for a programmable comparator the
        model needs the limit: ``model(component, raw, limit=L)``).
    functions : tuple of str
        The exact functions (``sigmoid_hw.model.function_exact.FUNCTIONS``) the outputs
        approximate, the reference of their accuracy: ``("sigmoid",)`` but
        for tanh, sigmoid' and SiLU designs; a unit lists its functions in
        the order of its model's ``function=`` index.
    """
    name: str
    description: str
    factory: object
    kind: str
    model: object
    functions: tuple = ("sigmoid",)

    @property
    def options(self):
        """The option names the factory takes, in order."""
        return tuple(inspect.signature(self.factory).parameters)

    def make(self, **options):
        """A new component; options that are ``None`` are left at their defaults.

        Raises
        ------
        ValueError
            For an option the design does not take (and any error of the
            design's own parameter checks).
        """
        given = {k: v for k, v in options.items() if v is not None}
        unknown = sorted(set(given) - set(self.options))
        if unknown:
            raise ValueError("design {!r} takes no option {}; its options are {}".format(
                self.name, ", ".join(repr(u) for u in unknown), list(self.options)))
        return self.factory(**given)


def _pipeline_factory(coefficients, default_rounding="faithful"):
    def factory(input_format=SQ(4, 12), output_bits=16, order=None, rounding=default_rounding,
                target_mhz=None, family="ecp5", reuse=1, multiplier_width=None):
        from sigmoid_hw.hw.pipeline import SigmoidPipeline
        from sigmoid_hw.hw.timing import schedule
        from sigmoid_hw.model.widths import derive_params
        from sigmoid_hw.model.plan import plan_for
        # the parameters first: a bad option raises before any component exists
        params = derive_params(_format(input_format), output_bits, order, coefficients,
                               rounding=rounding)
        schedule(plan_for(params), family, target_mhz)   # checks target_mhz and family
        return SigmoidPipeline(params=params, target_mhz=target_mhz, family=family, reuse=reuse,
                               multiplier_width=multiplier_width)
    return factory


def _pipeline(input_format=SQ(4, 12), output_bits=16, order=None, coefficients=None,
              rounding="faithful", target_mhz=None, family="ecp5", reuse=1,
              multiplier_width=None):
    return _pipeline_factory(coefficients, rounding)(input_format, output_bits, order,
                                                     target_mhz=target_mhz, family=family,
                                                     reuse=reuse,
                                                     multiplier_width=multiplier_width)


def _pipeline_model(component, raw):
    from sigmoid_hw.model.trace import sigmoid_fixed
    return sigmoid_fixed(np.asarray(raw), component.params)


def _function_factory(function):
    def factory(input_format=SQ(4, 12), output_bits=16, rounding="faithful", target_mhz=None,
                family="ecp5", reuse=1, multiplier_width=None):
        from sigmoid_hw.hw.functions import TanhPipeline, SigmoidDerivativePipeline, SiLUPipeline
        cls = {"tanh": TanhPipeline, "dsigmoid": SigmoidDerivativePipeline,
               "silu": SiLUPipeline}[function]
        return cls(_format(input_format), output_bits, rounding, target_mhz=target_mhz,
                   family=family, reuse=reuse, multiplier_width=multiplier_width)
    return factory


def _function_model(component, raw):
    from sigmoid_hw.model.function_model import function_fixed
    return function_fixed(np.asarray(raw), component.params)


def _activation(input_format=SQ(4, 12), output_bits=16, rounding="faithful", target_mhz=None,
                family="ecp5"):
    from sigmoid_hw.hw.activation import ActivationUnit
    return ActivationUnit(("sigmoid", "tanh"), _format(input_format), output_bits, rounding,
                          target_mhz=target_mhz, family=family)


def _activation_model(component, raw, function=0):
    """``raw`` are x, ``function`` the index (or indices) into ``component.functions``."""
    from sigmoid_hw.model.function_model import unit_fixed
    raw = np.asarray(raw)
    return unit_fixed(raw, np.broadcast_to(np.asarray(function), raw.shape), component.params)


def _comparator(input_format=SQ(4, 12), threshold=0.5):
    """``threshold="runtime"`` gives the comparator with a programmable ``limit`` port."""
    from sigmoid_hw.hw.threshold import ThresholdComparator
    if threshold == "runtime":
        threshold = None
    return ThresholdComparator(input_format=_format(input_format), threshold=threshold)


def _comparator_model(component, raw, limit=None):
    if limit is None:
        limit = component.limit_value
    if limit is None:
        raise ValueError("the programmable comparator's model needs its limit")
    return (np.asarray(raw) >= limit).astype(np.int64)


def _baseline(module, cls):
    def factory():
        import importlib
        return getattr(importlib.import_module(module), cls)()
    return factory


def _baseline_model(name):
    def model(component, raw):
        from sigmoid_hw.model.baselines import BASELINES
        return BASELINES[name](np.asarray(raw))
    return model


def _method(module, cls, **extra_defaults):
    """A method unit's factory: ``function`` is an option (``sigmoid_hw.model.exact.FUNCTION_NAMES``)."""
    def factory(function="sigmoid", input_format=SQ(4, 12), output_bits=16, rounding="faithful",
                target_mhz=None, family=None, drop_bits=None, **extra):
        import importlib
        unit = getattr(importlib.import_module(module), cls)
        if not drop_bits:
            return unit(function, _format(input_format), output_bits, rounding,
                        target_mhz=target_mhz, family=family, **extra)
        # an accuracy of 2^drop_bits ulp: the unit computes drop_bits bits fewer
        from sigmoid_hw.hw.methods.padded import Padded
        from sigmoid_hw.model.exact import function as function_record
        from sigmoid_hw.model.validate import check_int
        drop_bits = check_int("drop_bits", drop_bits, 1, 30)
        output_bits = check_int("output_bits", output_bits, 2, 32)
        if output_bits - drop_bits < 2:
            raise ValueError("drop_bits must leave at least 2 output bits, not {} of {}"
                             .format(drop_bits, output_bits))
        fmt = _format(input_format)
        inner = unit(function, fmt, output_bits - drop_bits, rounding, target_mhz=target_mhz,
                     family=family, **extra)
        return Padded(inner, drop_bits, function_record(function).output_format(fmt,
                                                                                output_bits))
    params = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None)
              for n in extra_defaults]
    base = inspect.signature(factory)
    factory.__signature__ = base.replace(parameters=[
        p for p in base.parameters.values() if p.kind != inspect.Parameter.VAR_KEYWORD] + params)
    factory.unit_class = cls
    return factory


def method_design_of(component):
    """The method design's record whose factory builds ``component``'s class."""
    component = getattr(component, "unit", component)       # sigmoid_hw.hw.methods.padded.Padded
    for record in DESIGNS.values():
        if getattr(record.factory, "unit_class", None) == type(component).__name__:
            return record
    raise TypeError("component must be a method unit (sigmoid_hw.hw.methods), not {!r}".format(component))


def _reduced_table_model(component, raw):
    from sigmoid_hw.model.methods.reduced_table import evaluate_reduced_table
    return evaluate_reduced_table(component.plan, np.asarray(raw)) << \
        getattr(component, "drop_bits", 0)


def _method_model(evaluate_path):
    def model(component, raw):
        import importlib
        from sigmoid_hw.model.methods.spec import unit_model
        module, name = evaluate_path.rsplit(".", 1)
        y = unit_model(component.plan, getattr(importlib.import_module(module), name),
                       np.asarray(raw))
        return y << getattr(component, "drop_bits", 0)
    return model


DESIGNS = {}


def register(record):
    """Add a ``Design`` to ``DESIGNS`` (its name must be new)."""
    if not isinstance(record, Design):
        raise TypeError("record must be a Design, not {!r}".format(record))
    if record.kind not in KINDS:
        raise ValueError("kind must be one of {}, not {!r}".format(KINDS, record.kind))
    if record.name in DESIGNS:
        raise ValueError("a design named {!r} exists already".format(record.name))
    if not isinstance(record.functions, tuple) or not record.functions:
        raise TypeError("functions must be a non-empty tuple of function names, not {!r}"
                        .format(record.functions))
    DESIGNS[record.name] = record
    return record


for _record in (
    Design("pipeline", "the seed method: range reduction, bit-pattern y0, Taylor coefficients "
           "from a table, Horner", _pipeline, "pipeline", _pipeline_model),
    Design("pipeline-minimax", "the seed's reduction and bit pattern with a per-n minimax "
           "refit of the coefficients (same hardware, one order lower)",
           _pipeline_factory("minimax"), "pipeline", _pipeline_model),
    Design("pipeline-cr", "the seed's reduction and bit pattern, correctly rounded: minimax "
           "coefficients, accumulators as wide as their multipliers, and a table of the few "
           "inputs that still round the wrong way", _pipeline_factory(None, "correct"),
           "pipeline", _pipeline_model),
    Design("pipeline-derived", "the seed method with the Taylor coefficients derived from y0 "
           "by multipliers", _pipeline_factory("derived"), "pipeline", _pipeline_model),
    Design("tanh", "tanh(x) = 2 sigmoid(2x) - 1 on the sigmoid core, SQ(1,15) output, odd",
           _function_factory("tanh"), "function", _function_model, ("tanh",)),
    Design("dsigmoid", "the sigmoid's derivative s (1 - s): the core at 3 more bits and one "
           "multiplier, UQ(-1,17) output", _function_factory("dsigmoid"), "function",
           _function_model, ("dsigmoid",)),
    Design("silu", "SiLU x sigmoid(x): the core at 5 more bits and one multiplier, SQ(4,12) "
           "output", _function_factory("silu"), "function", _function_model, ("silu",)),
    Design("activation", "ActivationUnit: sigmoid and tanh chosen per word on one core",
           _activation, "unit", _activation_model, ("sigmoid", "tanh")),
    Design("table", "every output of the function stored, folded by its symmetry (correctly "
           "rounded by construction)", _method("sigmoid_hw.hw.methods.table", "FunctionTable", fold=None,
                   segments=None),
           "method", _method_model("sigmoid_hw.model.methods.table.evaluate_table"), FUNCTION_NAMES),
    Design("multipartite", "a table of initial values plus offset tables and an adder tree, "
           "no multiplier (de Dinechin and Tisserand)",
           _method("sigmoid_hw.hw.methods.multipartite", "MultipartiteTable", tables=None),
           "method", _method_model("sigmoid_hw.model.methods.multipartite.evaluate_multipartite"),
           FUNCTION_NAMES),
    Design("piecewise", "a polynomial per uniform segment of the folded input, coefficients in "
           "a table, Horner with truncated products",
           _method("sigmoid_hw.hw.methods.piecewise", "PiecewisePolynomial", degree=None, segments=None,
                   reuse=None, multiplier_width=None, budget_ulp=None, operand_bits=None),
           "method", _method_model("sigmoid_hw.model.methods.piecewise.evaluate_piecewise"),
           FUNCTION_NAMES),
    Design("reduced-table", "a table of the input's top bits (input_drop low bits dropped), "
           "each entry the best value over its inputs; no fold or a ones' complement one",
           _method("sigmoid_hw.hw.methods.reduced_table", "ReducedTable", input_drop=None,
                   fold=None), "method", _reduced_table_model, FUNCTION_NAMES),
    Design("knot-interp", "linear interpolation between stored knot values (TFLite's "
           "scheme): even and odd knots in two banks, one product",
           _method("sigmoid_hw.hw.methods.knot_interp", "KnotInterpolation", budget_ulp=None,
                   segments=None, guard_bits=None, offset=None, fold=None, product=None),
           "method", _method_model("sigmoid_hw.model.methods.knot_interp.evaluate_knot_interp"),
           FUNCTION_NAMES),
    Design("comparator", "the exact threshold decision sigmoid(x) > t as x >= L, no sigmoid "
           "computed", _comparator, "comparator", _comparator_model),
    Design("plan", "PLAN, four shift-and-add segments (Amin, Curtis, Hayes-Gill 1997)",
           _baseline("sigmoid_hw.hw.baselines.plan", "PLAN"), "baseline", _baseline_model("plan")),
    Design("table1024", "a 1024-entry table over [-8, 8), hls4ml-style, no interpolation",
           _baseline("sigmoid_hw.hw.baselines.table", "Table1024"), "baseline",
           _baseline_model("table1024")),
    Design("interp256", "a 256-entry table with linear interpolation, TFLite-style",
           _baseline("sigmoid_hw.hw.baselines.interp", "Interp256"), "baseline",
           _baseline_model("interp256")),
    Design("rom", "a ROM of every correctly rounded output (x >= 0, by symmetry)",
           _baseline("sigmoid_hw.hw.baselines.rom", "DirectROM"), "baseline", _baseline_model("rom")),
    Design("tanh1024", "hls4ml's tanh: a 1024-entry table over [-4, 4), index truncated toward "
           "zero, saturating", _baseline("sigmoid_hw.hw.baselines.table", "Tanh1024"), "baseline",
           _baseline_model("tanh1024"), ("tanh",)),
    Design("tanh-interp256", "TFLite's int16 tanh: 2 sigmoid(2x) - 1 from its 256-entry "
           "sigmoid table, linear interpolation", _baseline("sigmoid_hw.hw.baselines.interp",
                                                           "TanhInterp256"), "baseline",
           _baseline_model("tanh-interp256"), ("tanh",)),
):
    register(_record)

DEFAULT_DESIGN = "pipeline"


def design(name):
    """The ``Design`` record called ``name``."""
    if not isinstance(name, str):
        raise TypeError("design must be a design name, not {!r}".format(name))
    if name not in DESIGNS:
        raise ValueError("design must be one of {}, not {!r}".format(sorted(DESIGNS), name))
    return DESIGNS[name]


def computed_function(record, component):
    """The name of the function ``component`` (made by design ``record``) computes: a method
    design's is its ``function`` option, the others' is the first of ``record.functions``."""
    if record.kind == "method":
        return str(component.function)
    return record.functions[0]


def design_options(name):
    """The option names design ``name`` accepts, in order."""
    return list(design(name).options)


def make_design(name, **options):
    """A new instance of design ``name``; see ``Design.make``."""
    return design(name).make(**options)

"""The buildable designs, by name, for every command (``synth``, ``build``, ...).

``DESIGNS`` is a plain dict: name -> factory. A factory is a function taking
only keyword options and returning a fresh ``wiring.Component`` whose stream
ports are ``i`` and ``o``. Options a user may give on a command line are
``input_format`` (an ``SQ`` or text such as ``"SQ(4,12)"``), ``output_bits``,
``order``, ``coefficients`` and ``threshold``; a factory declares the ones it
understands as keyword parameters with defaults, and ``make_design`` rejects
the others by name.

To add a design, write a factory that imports its gateware *inside* the
function (so that listing the designs never elaborates or imports every
module), give it a one-line docstring, and add it to ``DESIGNS``::

    def _my_baseline(input_format=SQ(4, 12), output_bits=16):
        \"\"\"A piecewise-linear sigmoid (baseline).\"\"\"
        from hw.baselines.pwl import PiecewiseLinearSigmoid
        return PiecewiseLinearSigmoid(input_format=_format(input_format),
                                      output_bits=output_bits)

    DESIGNS["pwl"] = _my_baseline
"""

import inspect

from model.fixed import FixedFormat, SQ, parse_format

__all__ = ["DESIGNS", "DEFAULT_DESIGN", "make_design", "design_options", "describe"]


def _format(value):
    if isinstance(value, FixedFormat):
        return value
    if isinstance(value, str):
        return parse_format(value)
    raise TypeError("Input format must be an SQ format or text like 'SQ(4,12)', not {!r}"
                    .format(value))


def _pipeline(input_format=SQ(4, 12), output_bits=16, order=None, coefficients="table"):
    """The sigmoid pipeline: range reduction, bit-pattern reference, Horner Taylor evaluation."""
    from hw.pipeline import SigmoidPipeline
    return SigmoidPipeline(input_format=_format(input_format), output_bits=output_bits,
                           order=order, coefficients=coefficients)


def _pipeline_derived(input_format=SQ(4, 12), output_bits=16, order=None):
    """The sigmoid pipeline with Taylor coefficients derived from y0 by multipliers."""
    from hw.pipeline import SigmoidPipeline
    return SigmoidPipeline(input_format=_format(input_format), output_bits=output_bits,
                           order=order, coefficients="derived")


def _pipeline_minimax(input_format=SQ(4, 12), output_bits=16, order=None):
    """The sigmoid pipeline with per-n minimax refits of the coefficients (same hardware)."""
    from hw.pipeline import SigmoidPipeline
    return SigmoidPipeline(input_format=_format(input_format), output_bits=output_bits,
                           order=order, coefficients="minimax")


def _comparator(input_format=SQ(4, 12), threshold=0.5):
    """The exact threshold comparator: sigmoid(x) > t as x >= L, no sigmoid computed.

    ``threshold="runtime"`` gives the comparator with a programmable ``limit`` port.
    """
    from hw.threshold import ThresholdComparator
    if threshold == "runtime":
        threshold = None
    return ThresholdComparator(input_format=_format(input_format), threshold=threshold)


def _plan():
    """Comparison design: PLAN, four shift-and-add segments (Amin, Curtis, Hayes-Gill 1997)."""
    from hw.baselines.plan import PLAN
    return PLAN()


def _table1024():
    """Comparison design: a 1024-entry table over [-8, 8), hls4ml-style, no interpolation."""
    from hw.baselines.table import Table1024
    return Table1024()


def _interp256():
    """Comparison design: a 256-entry table with linear interpolation, TFLite-style."""
    from hw.baselines.interp import Interp256
    return Interp256()


def _rom():
    """Comparison design: a ROM of every correctly rounded output (x >= 0, by symmetry)."""
    from hw.baselines.rom import DirectROM
    return DirectROM()


DESIGNS = {
    "pipeline": _pipeline,
    "pipeline-minimax": _pipeline_minimax,
    "pipeline-derived": _pipeline_derived,
    "comparator": _comparator,
    "plan": _plan,
    "table1024": _table1024,
    "interp256": _interp256,
    "rom": _rom,
}

DEFAULT_DESIGN = "pipeline"


def design_options(name):
    """The option names design ``name`` accepts, in order."""
    return list(inspect.signature(_factory(name)).parameters)


def describe(name):
    """The one-line description of design ``name``."""
    return (inspect.getdoc(_factory(name)) or "").splitlines()[0]


def _factory(name):
    if name not in DESIGNS:
        raise ValueError("Design must be one of {}, not {!r}".format(sorted(DESIGNS), name))
    return DESIGNS[name]


def make_design(name, **options):
    """A new instance of design ``name``; options that are ``None`` are left at their defaults.

    Raises
    ------
    ValueError
        For an unknown design or an option the design does not take (and any
        error of the design's own parameter checks).
    """
    factory = _factory(name)
    given = {k: v for k, v in options.items() if v is not None}
    unknown = sorted(set(given) - set(design_options(name)))
    if unknown:
        raise ValueError("Design {!r} takes no option {}; its options are {}".format(
            name, ", ".join(repr(u) for u in unknown), design_options(name)))
    return factory(**given)

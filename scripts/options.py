"""Command-line options shared by every command: the design and its parameters, the threshold.

One option set for the design parameters (``add_design_arguments`` /
``design_options_from_args``; ``add_pipeline_arguments`` /
``pipeline_params_from_args`` for the commands that need only the pipeline's
integer model), one threshold parser (``parse_threshold``) and one argparse
type for per-cycle probabilities (``probability``): every command that
builds, simulates or draws a design uses these. The options are declared
once, with no defaults of their own: an option left out is left to the
design's factory (``sigmoid_hw.hw.designs``) or to ``sigmoid_hw.model.widths.derive_params``,
which also check the values.
"""

import argparse
import math
import os
import shlex
import sys
from fractions import Fraction

from sigmoid_hw.hw.designs import DEFAULT_DESIGN, DESIGNS
from sigmoid_hw.model.exact.function import FUNCTION_NAMES
from sigmoid_hw.model.params import COEFFICIENT_SOURCES, ROUNDING_MODES

__all__ = ["command_line", "add_design_arguments", "design_options_from_args", "add_pipeline_arguments",
           "pipeline_params_from_args", "parse_threshold", "probability", "positive_int",
           "positive_float", "seed", "FUNCTION_OPTIONS", "check_function_options"]

# The pipeline options, in the order of the factories' signatures.
PIPELINE_OPTIONS = ("input_format", "output_bits", "order", "coefficients", "rounding")


def parse_threshold(text, raw_format=None, *, runtime=True):
    """The exact threshold a command-line string denotes.

    ``"0.7"`` is 7/10 exactly (not the float nearest it); ``"3/4"``,
    ``"1e-3"``, ``"inf"`` and ``"-inf"`` work too (``±math.inf``). With
    ``raw_format`` (e.g. ``UQ(0,16)``) the text is an integer raw word of that
    format (``"0x8000"`` is 1/2). ``"runtime"`` (a programmable comparator
    limit) is returned as it is when ``runtime`` is true.

    Raises
    ------
    ValueError
        Naming the text (NaN included).
    """
    from sigmoid_hw.model.threshold import exact_threshold, threshold_from_raw
    text = text.strip()
    if raw_format is not None:
        try:
            raw = int(text, 0)
        except ValueError:
            raise ValueError("Threshold must be an integer raw word of {}, not {!r}"
                             .format(raw_format, text)) from None
        return threshold_from_raw(raw, raw_format)
    if runtime and text == "runtime":
        return text
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        pass
    if text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
        return exact_threshold(float(text))      # NaN raises here, naming it
    raise ValueError("Threshold must be a number such as 0.5 or 3/4{}, not {!r}".format(
        ", or 'runtime'" if runtime else "", text))


def probability(text):
    """argparse type: a per-cycle probability (stall, gap), a number in [0, 1).

    1 is refused: a stall probability of 1 never takes an output, a gap
    probability of 1 never sends an input, and the simulation would not end.
    """
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or math.isnan(value) or not 0 <= value < 1:
        raise argparse.ArgumentTypeError(
            "must be a probability in [0, 1), not {!r}".format(text))
    return value


def positive_int(text):
    """argparse type: an integer of at least 1 (a count: requests in flight, jobs)."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError("must be an integer of at least 1, not {!r}".format(text))
    return value


def seed(text):
    """argparse type: a seed, an integer of at least 0 (``simulate --seed -1`` said only
    "expected non-negative integer", from deep inside)."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 0:
        raise argparse.ArgumentTypeError("must be an integer of at least 0, not {!r}"
                                         .format(text))
    return value


def positive_float(text):
    """argparse type: a finite number above 0 (seconds, MHz)."""
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError("must be a number above 0, not {!r}".format(text))
    return value


# One definition per option that several commands take (issue 22: --stall defaulted to 0, 0.3
# and 0.25 in simulate, waves and verify; --jobs to the CPU count in compare and 1 in verify;
# --seed was nextpnr's placement seed in synth and compare, the stimulus's elsewhere).
STALL = 0.25
GAP = 0.1


def add_stimulus_arguments(parser):
    """``--stall``, ``--gap`` and ``--seed``: the random handshake of a simulation, the same
    option and default on simulate, verify and waves."""
    parser.add_argument("--stall", type=probability, default=STALL, metavar="P",
                        help="probability that o.ready is low in a cycle, in [0, 1) "
                             "(default {})".format(STALL))
    parser.add_argument("--gap", type=probability, default=GAP, metavar="P",
                        help="probability that i.valid is low in a cycle, in [0, 1) "
                             "(default {})".format(GAP))
    parser.add_argument("--seed", type=seed, default=1, metavar="N",
                        help="seed of the random inputs, stalls and gaps (default 1)")


def add_pnr_seed_argument(parser):
    """``--pnr-seed``: nextpnr's placement seed, on every command that places and routes."""
    parser.add_argument("--pnr-seed", type=seed, default=1, metavar="N",
                        help="nextpnr placement seed (default 1)")


def add_toolchain_argument(parser):
    """``--toolchain``: which synthesis and place-and-route tools, on every command that runs
    them."""
    from sigmoid_hw.flow.toolchain import TOOLCHAINS
    parser.add_argument("--toolchain", choices=TOOLCHAINS, default="yowasp",
                        help="yowasp (the pip-installed tools, default) or system (tools on "
                             "PATH)")


def add_build_dir_argument(parser):
    """``--build-dir``: where the generated and tool files stay."""
    parser.add_argument("--build-dir", default=None, metavar="DIR",
                        help="keep the generated and tool files here (default: a temporary "
                             "folder)")


def add_jobs_argument(parser):
    """``--jobs``: how many builds or simulations run at once, each in its own process; the
    default is the number of CPUs on every command."""
    parser.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1, metavar="N",
                        help="builds or simulations at once, each in its own process (default: "
                             "the number of CPUs)")


_PIPELINE_SPECS = {
    "input_format": ("--input-format", dict(
        default=None, metavar="SQ(I,F)", help="input format (default SQ(4,12))")),
    "output_bits": ("--output-bits", dict(
        type=int, default=None, metavar="F",
        help="output width in bits (default 16): the sigmoid's output is UQ(0,F); a "
             "function's output is F bits in all, e.g. tanh SQ(1,F-1), sigmoid' "
             "UQ(-1,F+1), SiLU SQ(4,F-4) at input SQ(4,12)")),
    "order": ("--order", dict(
        type=int, default=None, metavar="K",
        help="polynomial order (default: the smallest that meets the error bound)")),
    "coefficients": ("--coefficients", dict(
        default=None, choices=COEFFICIENT_SOURCES,
        help="pipeline coefficients: {} (default table; see SigmoidPipeline)".format(
            ", ".join(COEFFICIENT_SOURCES)))),
    "rounding": ("--rounding", dict(
        default=None, choices=ROUNDING_MODES,
        help="faithful (error < 1 ulp, the default) or correct (every output the exact "
             "value rounded to nearest)")),
}


def add_pipeline_arguments(parser, options=PIPELINE_OPTIONS):
    """The options of the pipeline's arithmetic (``options``: which of ``PIPELINE_OPTIONS``)."""
    for name in options:
        flag, kwargs = _PIPELINE_SPECS[name]
        parser.add_argument(flag, **kwargs)


# The pipeline options a function's model takes; the rest shape the sigmoid core, which the
# function chooses for itself.
FUNCTION_OPTIONS = ("input_format", "output_bits", "rounding")


def check_function_options(args):
    """Refuse the sigmoid core's options for ``--function`` other than sigmoid.

    Raises
    ------
    ValueError
        Naming the options given that the function does not take (they were
        ignored silently by ``accuracy --function tanh --order 2``).
    """
    core_only = [name for name in PIPELINE_OPTIONS
                 if name not in FUNCTION_OPTIONS and getattr(args, name, None) not in
                 (None, False)]
    if core_only:
        raise ValueError("--function {} takes --input-format, --output-bits and --rounding; "
                         "the function chooses its sigmoid core, so not {}".format(
                             args.function, ", ".join("--" + n.replace("_", "-")
                                                      for n in core_only)))


# --function NAME selects the design of that function on the seed's core (sigmoid_hw.hw.designs);
# sigmoid keeps --design. A method design (table, multipartite, piecewise) takes any function
# as its option: --design table --function gelu.
FUNCTION_DESIGNS = {"sigmoid": None, "tanh": "tanh", "dsigmoid": "dsigmoid", "silu": "silu"}
ALL_FUNCTIONS = tuple(sorted(FUNCTION_NAMES))


def _is_method(design):
    return design in DESIGNS and DESIGNS[design].kind == "method"


def _check_design_and_function(parser, namespace):
    """``--design`` and ``--function`` both given must name the same design, in either order."""
    design, function = getattr(namespace, "_design_given", None), \
        getattr(namespace, "_function_given", None)
    if design is None or function is None or _is_method(design):
        return
    if function not in FUNCTION_DESIGNS:
        parser.error("--function {} is computed by the methods {}, not by --design {}".format(
            function, ", ".join(n for n in DESIGNS if _is_method(n)), design))
    wanted = FUNCTION_DESIGNS[function]
    if design != wanted and (wanted is not None or design in FUNCTION_DESIGNS.values()):
        why = ("--function {} is the design {}".format(function, wanted) if wanted else
               "the design {} computes {}".format(design, design))
        parser.error("--design {} and --function {} disagree ({}); give one of them"
                     .format(design, function, why))


class _DesignAction(argparse.Action):
    """``--design``: remembers that it was given, to refuse a ``--function`` naming another."""

    def __call__(self, parser, namespace, value, option_string=None):
        setattr(namespace, self.dest, value)
        namespace._design_given = value
        _check_design_and_function(parser, namespace)


class _FunctionAction(argparse.Action):
    """``--function``: sets ``design`` to the function's design, if this command offers it."""

    def __call__(self, parser, namespace, value, option_string=None):
        setattr(namespace, self.dest, value)
        namespace._function_given = value
        _check_design_and_function(parser, namespace)
        if _is_method(getattr(namespace, "_design_given", None)):
            return                      # the method computes it: an option, not a design
        name = FUNCTION_DESIGNS.get(value)
        if name is None:
            return
        if name not in self.const:
            parser.error("--function {} is not available here (this command takes the designs "
                         "{})".format(value, ", ".join(self.const)))
        namespace.design = name


def add_design_arguments(parser, verb="use", *, kinds=None, options=None):
    """The ``--design`` option and the design options.

    Parameters
    ----------
    verb : str
        For the help text ("design to {verb}").
    kinds : tuple of str or None
        Offer only the designs of these kinds (``sigmoid_hw.hw.designs.KINDS``); all by
        default.
    options : tuple of str or None
        Add only these design options (names as in ``sigmoid_hw.hw.designs``); all by
        default (``--threshold`` only when a comparator is among the designs).
    """
    names = [name for name, record in DESIGNS.items() if kinds is None or record.kind in kinds]
    default = DEFAULT_DESIGN if DEFAULT_DESIGN in names else names[0]
    parser.add_argument("--design", default=default, choices=names, action=_DesignAction,
                        help="design to {} (default {})".format(verb, default))
    parser.add_argument("--function", default="sigmoid", choices=ALL_FUNCTIONS,
                        action=_FunctionAction, const=tuple(names),
                        help="the function: sigmoid (the --design, default), or tanh, dsigmoid "
                             "(sigmoid') or silu, each on the sigmoid core (sets --design); any "
                             "of them with --design table|multipartite|piecewise")
    if any(_is_method(n) for n in names):
        parser.add_argument("--fold", default=None,
                            help="table, reduced-table: the fold by symmetry (default: the fewest "
                                 "bits)")
        parser.add_argument("--tables", type=int, default=None, metavar="M",
                            help="multipartite: the number of offset tables (default: the "
                                 "cheapest)")
        parser.add_argument("--degree", type=int, default=None,
                            help="piecewise: the polynomial degree (default: the cheapest)")
        parser.add_argument("--drop-bits", type=int, default=None, metavar="P",
                            help="a method computes P bits fewer, its output shifted into "
                                 "place: within 2^P ulp (faithful) at a fraction of the cost")
        parser.add_argument("--segments", type=int, default=None,
                            help="piecewise: the number of uniform segments, a power of 2 "
                                 "(default: the fewest that meet the bound); table: S fields "
                                 "of one memory word, each segment its own base and width "
                                 "(default 1)")
        parser.add_argument("--budget-ulp", type=positive_float, default=None, metavar="U",
                            help="piecewise, knot-interp: an error of at most U ulp (>= 1) "
                                 "instead of faithful")
        parser.add_argument("--product", default=None, choices=("signed", "unsigned"),
                            help="knot-interp: the difference's product signed (default) or "
                                 "unsigned (two multiplexers; smaller in logic)")
        parser.add_argument("--operand-bits", type=positive_int, default=None, metavar="B",
                            help="piecewise, correct rounding: every product's accumulator "
                                 "operand at most B signed bits (a DSP port: 16 on the UP5K), "
                                 "correct from a search of each segment's coefficients")
        parser.add_argument("--input-drop", type=int, default=None, metavar="K",
                            help="reduced-table: the input's low bits below the index "
                                 "(default: the most that keep --rounding)")
    add_pipeline_arguments(parser, [name for name in PIPELINE_OPTIONS
                                    if options is None or name in options])
    with_pipeline = kinds is None or "pipeline" in kinds
    if with_pipeline and (options is None or "target_mhz" in options):
        from sigmoid_hw.hw.timing import FAMILIES
        parser.add_argument("--target-mhz", type=positive_float, default=None, metavar="MHZ",
                            help="pipeline to this clock frequency (sigmoid_hw.hw.timing's delay model; "
                                 "default: the plain pipeline)")
        parser.add_argument("--family", default=None, choices=sorted(FAMILIES),
                            help="delay model for --target-mhz (default: the device's, where "
                                 "the command has one (--device, --board), else ecp5)")
    if ((kinds is None or "pipeline" in kinds or "function" in kinds or "method" in kinds)
            and (options is None or "reuse" in options)):
        parser.add_argument("--reuse", type=positive_int, default=None, metavar="R",
                            help="pipeline, tanh/dsigmoid/silu and piecewise: multiply-adds per "
                                 "Horner multiplier, 1 .. the order or degree (hls4ml's "
                                 "ReuseFactor): ceil(order/R) multipliers, a word every R "
                                 "clocks (default 1)")
        parser.add_argument("--multiplier-width", type=positive_int, default=None, metavar="B",
                            help="with --reuse: signed bits of a DSP multiplier port; a wider "
                                 "step takes two passes (--reuse counts passes), one DSP block "
                                 "per multiplier (16: iCE40 SB_MAC16; --reuse 7 puts the default "
                                 "on one; default: as the synthesis tool maps it)")
    with_threshold = kinds is None or "comparator" in kinds
    if with_threshold and (options is None or "threshold" in options):
        parser.add_argument("--threshold", default=None,
                            help="comparator threshold t (a number, or 'runtime' for a "
                                 "programmable limit)")


def design_options_from_args(args):
    """The design options the user gave, as keyword arguments for ``make_design``."""
    given = {name: getattr(args, name, None) for name in PIPELINE_OPTIONS}
    threshold = getattr(args, "threshold", None)
    given["threshold"] = None if threshold is None else parse_threshold(threshold)
    given["reuse"] = getattr(args, "reuse", None)
    given["multiplier_width"] = getattr(args, "multiplier_width", None)
    given["target_mhz"] = target = getattr(args, "target_mhz", None)
    family = getattr(args, "family", None)
    if family is not None and target is None:
        raise ValueError("--family {} is the delay model of --target-mhz, which is not given"
                         .format(family))
    device = getattr(args, "device", None)
    if target is not None and isinstance(device, str):
        from sigmoid_hw.flow.implement import DEVICES
        if device in DEVICES:
            own = DEVICES[device].timing_family
            if family is None:
                family = own
            elif family != own:
                raise ValueError("--family {} is not the delay model of the device {} ({})"
                                 .format(family, device, own))
    given["family"] = family
    name, function = getattr(args, "design", None), getattr(args, "function", "sigmoid")
    if _is_method(name):
        given["function"] = function
        for option in ("fold", "tables", "degree", "segments", "drop_bits", "input_drop",
                       "budget_ulp", "operand_bits", "product"):
            given[option] = getattr(args, option, None)
    elif function not in FUNCTION_DESIGNS and name is not None:
        raise ValueError("--function {} is computed by the designs {}, not by {}".format(
            function, ", ".join(n for n in DESIGNS if _is_method(n)), name))
    return given


def pipeline_params_from_args(args, **overrides):
    """``sigmoid_hw.model.widths.derive_params`` of the pipeline options the user gave (others default).

    ``overrides`` (e.g. ``coefficients="minimax"``) replace the options given;
    ``None`` values are left to ``derive_params``.
    """
    from sigmoid_hw.model.fixed import parse_format
    from sigmoid_hw.model.widths import derive_params
    given = {name: getattr(args, name, None) for name in PIPELINE_OPTIONS}
    given.update(overrides)
    if isinstance(given["input_format"], str):
        given["input_format"] = parse_format(given["input_format"])
    return derive_params(**{k: v for k, v in given.items() if v is not None})


def command_line(args=None):
    """The command as the user typed it, quoted so that it can be pasted back: what
    ``sigmoid_hw.scripts.cli.main`` received (``args.command_line``), else this process's
    arguments. Measured files name the command that wrote them."""
    line = getattr(args, "command_line", None)
    return line or "sigmoid-hw " + shlex.join(sys.argv[1:])


"""``sigmoid-hw synth``: out-of-context synthesis and place-and-route, with a resource and timing report."""

import json
import sys
from fractions import Fraction

from boards.implement import DEVICES, DoesNotFit, implement
from boards.toolchain import TOOLCHAINS, ToolchainError
from hw.designs import DEFAULT_DESIGN, DESIGNS, make_design

__all__ = ["NAME", "HELP", "add_arguments", "run", "parse_threshold", "design_options_from_args"]

NAME = "synth"
HELP = ("synthesize, place and route one design out of context (registers at its "
        "ports) and report LUT/FF/DSP/BRAM/Fmax")


def parse_threshold(text):
    """``"0.5"``, ``"3/4"`` -> the exact Fraction; ``"runtime"`` stays as it is."""
    if text == "runtime":
        return text
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError("Threshold must be a number such as 0.5 or 3/4, or 'runtime', not {!r}"
                         .format(text)) from None


def add_arguments(parser):
    parser.add_argument("--device", required=True, choices=sorted(DEVICES),
                        help="target device")
    add_design_arguments(parser)
    parser.add_argument("--seed", type=int, default=1, help="nextpnr placement seed (default 1)")
    parser.add_argument("--toolchain", choices=TOOLCHAINS, default="yowasp",
                        help="yowasp (the pip-installed tools, default) or system (tools on PATH)")
    parser.add_argument("--build-dir", default=None,
                        help="keep the synthesis and place-and-route files here")
    parser.add_argument("--json", action="store_true", help="print a JSON object")


def add_design_arguments(parser):
    """The ``--design`` option and the design options (shared with other commands)."""
    parser.add_argument("--design", default=DEFAULT_DESIGN, choices=sorted(DESIGNS),
                        help="design to implement (default {})".format(DEFAULT_DESIGN))
    parser.add_argument("--input-format", default=None, help="input format, e.g. SQ(4,12)")
    parser.add_argument("--output-bits", type=int, default=None, help="output width")
    parser.add_argument("--order", type=int, default=None, help="Taylor order")
    parser.add_argument("--coefficients", default=None,
                        help="pipeline coefficients: table, derived, ... (see SigmoidPipeline)")
    parser.add_argument("--threshold", default=None,
                        help="comparator threshold t (a number, or 'runtime' for a "
                             "programmable limit)")


def design_options_from_args(args):
    """The design options the user gave, as keyword arguments for ``make_design``."""
    return {
        "input_format": args.input_format,
        "output_bits": args.output_bits,
        "order": args.order,
        "coefficients": args.coefficients,
        "threshold": None if args.threshold is None else parse_threshold(args.threshold),
    }


def format_report(result):
    """The human-readable table of an ``implement`` result plus ``design`` and ``latency``."""
    rows = [
        ("design", "{}, latency {} cycles".format(result["design"], result["latency"])),
        ("device", "{} ({}), seed {}, {} tools".format(
            result["device"], result["part"], result["seed"], result["toolchain"])),
        ("LUTs", str(result["luts"]) + (" ({} logic cells)".format(result["logic_cells"])
                                        if "logic_cells" in result else "")),
        ("FFs", "{} (of which {} harness registers)".format(result["ffs"],
                                                          result["boundary_ffs"])),
        ("DSPs", str(result["dsps"])),
        ("BRAMs", str(result["brams"])),
        ("Fmax", "{} MHz (target {} MHz){}".format(
            result["fmax_mhz"], result["target_mhz"],
            "; " + result["fmax_note"] if result.get("fmax_note") else "")),
    ]
    path = result.get("critical_path")
    if path:
        rows.append(("critical", "{} ns: {} logic + {} routing, {} logic levels".format(
            path["delay_ns"], path["logic_ns"], path["routing_ns"], path["logic_levels"])))
        rows.append(("", "{} -> {}".format(path["from"], path["to"])))
    rows.append(("time", "{} s".format(result["seconds"])))
    return "\n".join("{:<9} {}".format(k, v) for k, v in rows)


def run(args):
    options = design_options_from_args(args)
    component = make_design(args.design, **options)
    try:
        result = implement(component, args.device, seed=args.seed, build_dir=args.build_dir,
                           toolchain=args.toolchain)
    except (DoesNotFit, ToolchainError) as exc:
        print("sigmoid-hw synth: error: {}".format(exc), file=sys.stderr)
        return 1
    result["design"] = args.design
    result["latency"] = getattr(component, "latency", None)
    result["options"] = {k: (str(v) if v is not None and not isinstance(v, int) else v)
                         for k, v in options.items() if v is not None}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_report(result))
    return 0

"""``sigmoid-hw synth``: out-of-context synthesis and place-and-route, with a resource and timing report."""

import json
import math
import os
import sys

from sigmoid_hw.flow.dsp_registers import format_dsp_registers
from sigmoid_hw.flow.implement import DEVICES, DoesNotFit, implement
from sigmoid_hw.flow.toolchain import ToolchainError
from sigmoid_hw.hw.designs import make_design
from sigmoid_hw.report.progress import bar, ticking
from sigmoid_hw.report.text import count as count_of
from sigmoid_hw.scripts.options import (add_build_dir_argument, add_design_arguments,
                                        add_pnr_seed_argument, add_toolchain_argument,
                                        design_options_from_args)

__all__ = ["NAME", "HELP", "add_arguments", "run"]

NAME = "synth"
HELP = ("synthesize, place and route one design out of context (registers at its "
        "ports) and report LUT/FF/DSP/BRAM/Fmax")


def add_arguments(parser):
    parser.add_argument("--device", required=True, choices=sorted(DEVICES),
                        help="target device")
    add_design_arguments(parser)
    add_pnr_seed_argument(parser)
    add_toolchain_argument(parser)
    add_build_dir_argument(parser)
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def format_report(result):
    """The human-readable table of an ``implement`` result plus ``design``, ``latency`` and
    ``interval`` (the initiation interval, shown when it is not 1)."""
    rows = [
        ("design", "{}{}{}".format(result["design"], "" if result["latency"] is None else
                                   ", latency " + count_of(result["latency"], "cycle"),
                                   "" if result.get("interval", 1) == 1 else
                                   ", a word every {} clocks".format(result["interval"]))),
        ("device", "{} ({}), seed {}, {} tools".format(
            result["device"], result["part"], result["seed"], result["toolchain"])),
        ("LUTs", str(result["luts"]) + (" ({} logic cells)".format(result["logic_cells"])
                                        if "logic_cells" in result else "")),
        ("FFs", "{} (of which {} harness registers)".format(result["ffs"],
                                                          result["boundary_ffs"])),
        ("DSPs", str(result["dsps"])),
    ]
    # each DSP block's own registers, read from the netlist (sigmoid_hw.flow.dsp_registers)
    dsp_lines = format_dsp_registers(result.get("dsp_registers") or [])
    rows += [("DSP regs" if k == 0 else "", line) for k, line in enumerate(dsp_lines)]
    rows += [
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


def _json_value(value):
    """An option as JSON: numbers as numbers (target_mhz was "100.0"), the rest as text."""
    if isinstance(value, (int, float)) and math.isfinite(value):
        return value
    return str(value)


def run(args):
    options = design_options_from_args(args)
    if args.build_dir is not None:
        os.makedirs(args.build_dir, exist_ok=True)     # a bad folder fails before any work
    component = make_design(args.design, **options)
    try:
        with bar(None, "synthesis, place and route on " + args.device, unit="step",
                 enabled=not args.no_progress) as progress, ticking(progress):
            result = implement(component, args.device, seed=args.pnr_seed,
                               build_dir=args.build_dir, toolchain=args.toolchain,
                               target_mhz=options["target_mhz"])
    except (DoesNotFit, ToolchainError) as exc:
        print("sigmoid-hw synth: error: {}".format(exc), file=sys.stderr)
        return 1
    result["design"] = args.design
    result["latency"] = getattr(component, "latency", None)
    # reuse: a word accepted every initiation_interval clocks, Fmax / interval words a second
    result["interval"] = getattr(component, "initiation_interval", 1)
    result["options"] = {k: _json_value(v) for k, v in options.items() if v is not None}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_report(result))
    return 0

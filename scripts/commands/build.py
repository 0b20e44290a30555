"""``sigmoid-hw build``: a bitstream for a board, with its resource and timing report."""

import argparse
import json
import os
import subprocess
import sys
import time

from sigmoid_hw.flow.implement import fit_error_from_log, netlist_cells, parse_report
from sigmoid_hw.boards.platforms import BOARDS, board
from sigmoid_hw.flow.toolchain import ToolchainError, use_toolchain
from sigmoid_hw.report.progress import bar, ticking, write
from sigmoid_hw.report.text import count as count_of
from sigmoid_hw.scripts.options import (add_design_arguments, design_options_from_args,
                                        parse_threshold, positive_int, add_toolchain_argument)

__all__ = ["NAME", "HELP", "add_arguments", "run", "build_board"]

NAME = "build"
HELP = ("build the bitstream of a board (UART host link, sigmoid pipeline, threshold "
        "comparator) and print its report and the command that programs it")

BUILD_NAME = "sigmoid"
SEED = 1
# the unit's options on the command line (target_mhz brings --family); the threshold is the
# board's own option (a number, not 'runtime')
UNIT_OPTIONS = ("input_format", "output_bits", "order", "coefficients", "rounding", "target_mhz",
                "function", "fold", "tables", "degree", "segments", "drop_bits")


def _unit_options(args, name):
    """The unit's options for board ``name``: ``--family`` defaults to its device's delay
    model, and must be that one (``design_options_from_args``)."""
    on_board = argparse.Namespace(**vars(args))
    on_board.device = board(name).device
    return {k: v for k, v in design_options_from_args(on_board).items()
            if k in UNIT_OPTIONS + ("family",)}


def add_arguments(parser):
    parser.add_argument("--board", action="append", required=True, choices=sorted(BOARDS),
                        help="board to build for (repeat the option for several boards)")
    parser.add_argument("--out", default="build",
                        help="build folder; each board gets OUT/BOARD (default: build)")
    add_design_arguments(parser, "put on the board as its unit",
                         kinds=("pipeline", "function", "method"), options=UNIT_OPTIONS)
    parser.add_argument("--threshold", default="1/2",
                        help="t of the board's decision sigmoid(x) > t (default 1/2)")
    parser.add_argument("--baud", type=positive_int, default=115200,
                        help="UART bit rate (default 115200)")
    add_toolchain_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def build_board(name, out, *, design="pipeline", threshold="1/2", baud=115200,
                toolchain="yowasp", options=None):
    """Build one board's bitstream in ``out``; return its report (a dict).

    ``threshold`` is text for ``sigmoid_hw.scripts.options.parse_threshold`` or a number;
    ``options`` the sigmoid unit's options (``input_format``, ``output_bits``,
    ``order``; None: the defaults).

    Raises
    ------
    DoesNotFit, ToolchainError
    """
    from sigmoid_hw.boards.top import BoardTop

    if isinstance(threshold, str):
        threshold = parse_threshold(threshold, runtime=False)
    spec = board(name)
    top = BoardTop(name, baud=baud, design=design, threshold=threshold, **(options or {}))
    platform = spec.platform_class()
    from amaranth.vendor import GowinPlatform
    gowin = isinstance(platform, GowinPlatform)   # sigmoid_hw.boards.gowin: nextpnr-himbaechel
    family = "gowin" if gowin else "ice40" if platform.device.startswith("iCE40") else "ecp5"
    os.makedirs(out, exist_ok=True)
    report_name = BUILD_NAME + ".report.json"
    # router2: nextpnr's default router1 can loop forever on one overused wire when
    # clock-enable nets are promoted to globals (seen on the HX8K board build).
    options = {"nextpnr_opts": ["--seed", str(SEED), "--router", "router2",
                                "--report", report_name]}
    if spec.synth_opts:
        options["synth_opts"] = spec.synth_opts
    start = time.monotonic()
    with use_toolchain(toolchain):
        try:
            platform.build(top, name=BUILD_NAME, build_dir=out, do_program=False, **options)
        except subprocess.CalledProcessError as exc:
            log = os.path.join(out, BUILD_NAME + ".tim")
            text = open(log).read() if os.path.exists(log) else ""
            fit = fit_error_from_log(name, text)
            if fit is not None:
                raise fit from None
            raise ToolchainError("the build for {} failed ({}); see the logs in {}".format(
                name, exc, out)) from None
    seconds = round(time.monotonic() - start, 1)
    with open(os.path.join(out, report_name)) as f:
        report = json.load(f)
    with open(os.path.join(out, BUILD_NAME + (".syn.json" if gowin else ".json"))) as f:
        cells = netlist_cells(json.load(f))
    result = {
        "board": name,
        "device": spec.device,
        "part": platform.part if gowin else "{}-{}".format(platform.device, platform.package),
        "clock_mhz": platform.default_clk_frequency / 1e6,
        "baud": baud,
        "design": design,
        "threshold": str(threshold),
        "latency": top.sigmoid.latency,
    }
    if gowin:
        from sigmoid_hw.flow.gowin import parse_gowin_report
        result.update(parse_gowin_report(report))
    else:
        result.update(parse_report(report, family, cells))
    bitstream = os.path.join(out, spec.bitstream.format(name=BUILD_NAME))
    result.update({
        "bitstream": bitstream,
        "program": [cmd.format(bitstream=bitstream) for cmd in spec.program],
        "seed": SEED,
        "toolchain": toolchain,
        "seconds": seconds,
    })
    return result


def format_report(r):
    rows = [
        ("board", "{} ({}), {} MHz clock, UART {} 8N1".format(
            r["board"], r["part"], r["clock_mhz"], r["baud"])),
        ("design", "{} + comparator (t = {}), pipeline latency {}".format(
            r["design"], r["threshold"], count_of(r["latency"], "cycle"))),
        ("LUTs", str(r["luts"]) + (" ({} logic cells)".format(r["logic_cells"])
                                   if "logic_cells" in r else "")),
        ("FFs", str(r["ffs"])),
        ("DSPs", str(r["dsps"])),
        ("BRAMs", str(r["brams"])),
        ("Fmax", "{} MHz (needs {} MHz){}".format(
            r["fmax_mhz"], r["clock_mhz"], "; " + r["fmax_note"] if r.get("fmax_note") else "")),
        ("bitstream", r["bitstream"]),
        ("time", "{} s".format(r["seconds"])),
    ]
    lines = ["{:<10} {}".format(k, v) for k, v in rows]
    lines.append("program it with (not run here):")
    lines += ["    " + cmd for cmd in r["program"]]
    return "\n".join(lines)


def run(args):
    threshold = parse_threshold(args.threshold, runtime=False)
    options = {name: _unit_options(args, name) for name in args.board}   # errors before builds
    results = []
    with bar(len(args.board), "build", unit="board", enabled=not args.no_progress) as progress:
        with ticking(progress):
            for name in args.board:
                progress.set_postfix_str(name)
                try:
                    result = build_board(name, os.path.join(args.out, name), design=args.design,
                                         threshold=threshold, baud=args.baud,
                                         toolchain=args.toolchain, options=options[name])
                except (ToolchainError, RuntimeError) as exc:
                    print("sigmoid-hw build: error: {}".format(exc), file=sys.stderr)
                    return 1
                progress.update()
                results.append(result)
                if not args.json:
                    write(format_report(result) + ("\n" if name != args.board[-1] else ""))
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], indent=2))
    return 0

"""``sigmoid-hw verify``: a design against its integer model on every input, in a simulator.

``--backend`` picks Amaranth's simulator (``pysim``), Icarus Verilog or
Verilator (compiled, the fast one); ``--netlist ice40|ecp5`` simulates the
netlist Yosys synthesizes for that family (with its cell models) instead of
the exported RTL. ``--all`` runs the whole matrix (``sigmoid_hw.scripts.verification``:
every pipeline design, rounding mode and clock target at 16, 20 and 24 input
bits, the other designs, the method designs for every function at 16 and 20
bits, the default's netlists for both families and the method designs' sigmoid
netlists);
``--bench`` runs the design on every backend and prints their simulated
cycles per second side by side. Exit code 1 when a run finds a mismatch, a
missing word or a broken stream rule.
"""

import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext

from sigmoid_hw.hw.designs import DESIGNS
from sigmoid_hw.report.progress import bar, ticking
from sigmoid_hw.scripts.options import (add_build_dir_argument, add_design_arguments,
                                        add_jobs_argument,
                                        add_stimulus_arguments, design_options_from_args)
from sigmoid_hw.scripts.verification import BACKENDS, NETLISTS, configurations, verify

__all__ = ["NAME", "HELP", "add_arguments", "run"]

NAME = "verify"
HELP = ("check a design against its integer model on every input in pysim, Icarus or "
        "Verilator, as RTL or as the synthesized iCE40/ECP5 netlist")


def _count(text):
    if text == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError("vectors must be a count or 'all', not {!r}".format(text)) from None
    if value < 8:
        raise ValueError("vectors must be at least 8, not {}".format(value))
    return value


def add_arguments(parser):
    add_design_arguments(parser, "verify")
    parser.add_argument("--backend", choices=BACKENDS, default="verilator",
                        help="simulator (default verilator)")
    parser.add_argument("--netlist", choices=NETLISTS, default="none",
                        help="simulate the synthesized netlist of this family (default none: "
                             "the exported RTL)")
    parser.add_argument("--vectors", default="all", metavar="N",
                        help="inputs to check, or 'all' (default all)")
    add_stimulus_arguments(parser)
    add_build_dir_argument(parser)
    parser.add_argument("--all", action="store_true",
                        help="run every configuration of the verification matrix")
    parser.add_argument("--designs", nargs="+", default=None, metavar="NAME",
                        help="with --all: only these designs' configurations (default every "
                             "design)")
    parser.add_argument("--bench", action="store_true",
                        help="run the design on every backend; print cycles per second")
    add_jobs_argument(parser)        # the matrix's 24-bit runs take up to 2 GB each
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _line(r):
    options = ", ".join("{}={}".format(k, v) for k, v in r["options"].items()) or "defaults"
    status = "ok  " if r["passed"] else "FAIL"
    text = ("{} {:<17} {:<9} {:<5} {:>10,} in  {:>8,} mismatches {:>8,} missing  {:>7.1f} s  "
            "{:>11,.0f} cycles/s  {}".format(status, r["design"], r["backend"], r["netlist"],
                                            r["count"], r["mismatches"], r["missing"],
                                            r["seconds"], r["cycles_per_second"], options))
    if r.get("extra") or r.get("stream_errors"):
        text += "  extra {}, stream errors {}".format(r["extra"], r["stream_errors"])
    if r.get("export_error"):
        text += "  (export header failed: {})".format(r["export_error"])
    if r.get("lint"):
        text += "  lint: {} messages".format(len(r["lint"]))
    for k, x, got, want in r["first"]:
        text += "\n     output {}: x = 0x{:x}, got 0x{:x}, expected 0x{:x}".format(k, x, got, want)
    return text


def _chosen(names):
    """The designs ``--designs`` names (all of them without it), each checked."""
    if names is None:
        return set(DESIGNS)
    for name in names:
        if name not in DESIGNS:
            raise ValueError("--designs: no design {!r}; the designs are {}".format(
                name, ", ".join(DESIGNS)))
    return set(names)


def _runs(args):
    if args.designs is not None and not args.all:
        raise ValueError("--designs chooses among the matrix's configurations: give --all too")
    options = {k: v for k, v in design_options_from_args(args).items() if v is not None}
    common = dict(count=_count(args.vectors), stall=args.stall, gap=args.gap, seed=args.seed)
    if args.all:
        chosen = _chosen(args.designs)
        runs = [dict(name=n, options=o, backend="verilator", netlist="none")
                for n, o in configurations() if n in chosen]
        if args.design in chosen:
            runs += [dict(name=args.design, options=options, backend="verilator", netlist=f)
                     for f in NETLISTS if f != "none"]
        # the method designs' sigmoid defaults as synthesized netlists too
        runs += [dict(name=m, options={"function": "sigmoid"}, backend="verilator", netlist=f)
                 for m in ("table", "multipartite", "piecewise") if m in chosen
                 for f in NETLISTS if f not in ("none", "gowin") and
                 not (m == "table" and f == "ice40")]     # 128 EBR: more than an iCE40 has
    elif args.bench:
        runs = [dict(name=args.design, options=options, backend=b, netlist=args.netlist)
                for b in BACKENDS if not (b == "pysim" and args.netlist != "none")]
    else:
        runs = [dict(name=args.design, options=options, backend=args.backend,
                     netlist=args.netlist)]
    return [dict(run, **common) for run in runs]


def _one(k, spec, build_dir):
    """Run ``spec`` (the k-th run); ``(k, result, None)`` or ``(k, None, why it cannot)``."""
    spec = dict(spec)
    folder = None
    if build_dir:
        folder = "{}/{:03d}_{}_{}_{}".format(build_dir, k, spec["name"], spec["backend"],
                                             spec["netlist"])
    try:
        return k, verify(spec.pop("name"), spec.pop("options"), folder=folder, **spec), None
    except ValueError as exc:
        return k, None, str(exc)


def _serial(runs, build_dir, progress):
    for k, spec in enumerate(runs):
        progress.set_postfix_str("{} {} {}".format(spec["name"], spec["backend"],
                                                   spec["netlist"]))
        yield _one(k, spec, build_dir)


def _parallel(pool, runs, build_dir):
    futures = [pool.submit(_one, k, spec, build_dir) for k, spec in enumerate(runs)]
    return (f.result() for f in as_completed(futures))


def run(args):
    runs = _runs(args)
    results = {}
    start = time.monotonic()
    parallel = args.jobs > 1 and len(runs) > 1
    with bar(total=len(runs), desc="verify", unit="run",
             enabled=not args.no_progress) as progress, ticking(progress), \
            (ProcessPoolExecutor(max_workers=args.jobs) if parallel else nullcontext()) as pool:
        done = (_parallel(pool, runs, args.build_dir) if parallel
                else _serial(runs, args.build_dir, progress))
        for k, result, skip in done:
            progress.update(1)
            if skip is not None:
                if not (args.all or args.bench):
                    raise ValueError(skip)
                # a configuration the design cannot take (say so; it is not a pass)
                progress.write("skip {} {}: {}".format(runs[k]["name"], runs[k]["options"],
                                                       skip), file=sys.stderr)
                continue
            results[k] = result
            if not args.json:
                progress.write(_line(result))
    wall = time.monotonic() - start
    results = [results[k] for k in sorted(results)]
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 and not (args.all or args.bench)
                         else results, indent=2))
    elif args.bench:
        print("\ncycles per second on {} ({:,} inputs, stall {}, gap {}):".format(
            args.design, results[0]["count"] if results else 0, args.stall, args.gap))
        for r in results:
            print("  {:<10} {:>12,.0f}   ({:.1f} s simulated, {:.1f} s in all)".format(
                r["backend"], r["cycles_per_second"], r["run_seconds"], r["seconds"]))
    if args.all and not args.json:
        total = sum(r["seconds"] for r in results)
        print("{} runs, {:,} inputs, {} failed, {:.0f} s of runs, {:.0f} s wall clock on {} "
              "job{}".format(len(results), sum(r["count"] for r in results),
                             sum(not r["passed"] for r in results), total, wall, args.jobs,
                             "s" if args.jobs > 1 else ""))
    return 0 if results and all(r["passed"] for r in results) else 1

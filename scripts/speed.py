"""The speed table: each design at its issue-21 target on each device, against the device's limits.

``python -m sigmoid_hw.scripts.speed [--out-dir docs/measured] [--devices ...] [--jobs N]``
builds, out of context with the project's flow (seed 1), every ``(design, target)`` of
``TARGETS`` for each device and the device's four limits (``dsp-limit``,
``adder-limit``, ``dsp-hard-limit``, ``horner-step-limit``: ``sigmoid-hw compare``'s
rows), and writes ``speed.json`` and ``speed.md``: LUT, FF, DSP, block RAM,
latency, Fmax by nextpnr (and icetime on the iCE40), the ratio to the Horner-step
limit of the same run, the DSP blocks' registers as ``synth`` counts them, the
critical path, and whether the row meets the issue's target. The README
copies ``speed.md`` (``python -m sigmoid_hw.scripts.readme``).

What each tool covers: nextpnr times every path it knows, but not through an iCE40
SB_MAC16 (a path through the block's combinational multiply is untimed, so a UP5K figure
is an upper bound where a block's registers are not all used); icetime, a second opinion
on the iCE40, times the placed ``.asc`` with its own delay tables.
"""

import argparse
import json
import os
import shlex
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from sigmoid_hw.report.progress import bar, ticking
from sigmoid_hw.scripts.compare_tables import LIMITS, STEP_LIMIT
from sigmoid_hw.scripts.stamp import commit
from sigmoid_hw.scripts.options import add_jobs_argument, command_line

__all__ = ["TARGETS", "speed_rows", "markdown", "summary", "main"]

# (design, target_mhz) per device: issue 21's targets (the UP5K at 90 MHz, the HX8K at 100,
# the ECP5's default pipeline at 250 and the others at a target of their own).
TARGETS = {
    "up5k": [("pipeline", 90), ("tanh", 90), ("activation", 90)],
    "hx8k": [("pipeline", 100), ("tanh", 100), ("dsigmoid", 100), ("silu", 100),
             ("activation", 100)],
    "ecp5-85f": [("pipeline", 250), ("pipeline-cr", 250), ("tanh", 250), ("dsigmoid", 250),
                 ("silu", 250), ("activation", 250)],
}


def _goal(device, design):
    """``(text, check(row))``: the issue's target for a row."""
    if device == "up5k":
        return ("90 MHz by nextpnr and icetime",
                lambda r: r["fmax_mhz"] >= 90 and (r.get("fmax_icetime_mhz") or 0) >= 90)
    if device == "hx8k":
        return "100 MHz", lambda r: r["fmax_mhz"] >= 100
    if design == "pipeline":
        return ("200 MHz and 0.85 x step limit",
                lambda r: r["fmax_mhz"] >= 200 and (r["vs_step_limit"] or 0) >= 0.85)
    return "0.8 x step limit", lambda r: (r["vs_step_limit"] or 0) >= 0.8


def _dsp_summary(blocks):
    from sigmoid_hw.flow.dsp_registers import format_dsp_registers
    lines = format_dsp_registers(blocks or [])
    return "; ".join(line for line in lines if not line.startswith("  "))


def _job(name, device, seed):
    """One build in a worker: compare's row of ``name`` (``design@target`` or a limit)."""
    from sigmoid_hw.scripts.commands.compare import _hard_limit_precheck, _implement_job
    # a limit the device cannot have (dsp-hard-limit on the HX8K, no DSP block): its note,
    # as compare's row (the HX8K's build raised ValueError and lost the whole run)
    reason = _hard_limit_precheck(name, device) if name in LIMITS else None
    if reason:
        return {"note": reason, "fmax_mhz": None}
    row = _implement_job(name, device, seed, "yowasp", None)
    row["dsp_registers"] = _dsp_summary(row.get("dsp_registers"))
    return row


def speed_rows(devices, *, seed=1, jobs=None, progress=None):
    """Every row of ``TARGETS`` for ``devices`` and their limits, in table order."""
    tasks = [("{}@{}".format(d, t), device) for device in devices for d, t in TARGETS[device]]
    tasks += [(limit, device) for device in devices for limit in LIMITS]
    results = {}
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        futures = {pool.submit(_job, name, device, seed): (name, device)
                   for name, device in tasks}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if progress is not None:
                progress(futures[future])
    rows = []
    for device in devices:
        step = results[STEP_LIMIT, device].get("fmax_mhz")
        for name, dev in tasks:
            if dev != device:
                continue
            row = dict(results[name, device], device=device)
            design, _, target = name.partition("@")
            row.update(design=design, target_mhz=float(target) if target else None)
            fmax = row.get("fmax_mhz")
            row["vs_step_limit"] = (round(fmax / step, 3) if fmax and step and name not in LIMITS
                                    else None)
            if name not in LIMITS:
                text, check = _goal(device, design)
                row["goal"] = text
                row["meets"] = None if fmax is None else bool(check(row))
            rows.append(row)
    return rows


def _cell(value, spec=""):
    return "missing" if value is None else format(value, spec)


def markdown(rows, commit, command, seconds):
    """The rows as Markdown, stamped with the commit, the command and its time."""
    lines = ["Measured at commit `{}` by `{}` in {:.0f} s (seed 1; nextpnr does not time "
             "paths through an iCE40 SB_MAC16; icetime is a second timer of the placed iCE40 "
             "designs).".format(commit, command, seconds),
             "",
             "| device | design | target MHz | latency | LUT | FF | DSP | BRAM | Fmax nextpnr "
             "| Fmax icetime | / step limit | goal | met | DSP registers inside | critical path "
             "(nextpnr) |",
             "|" + "---|" * 15]
    for r in rows:
        if r.get("fits") is False:
            fig = ["does not fit"] + [""] * 5
        else:
            fig = [_cell(r.get(k)) for k in ("luts", "core_ffs", "dsps", "brams", "fmax_mhz",
                                             "fmax_icetime_mhz")]
            if r["device"] != "up5k" and r["device"] != "hx8k":
                fig[-1] = "-"
        met = r.get("meets")
        lines.append("| " + " | ".join(
            [r["device"], "**{}**".format(r["design"]) if r["design"] in LIMITS else r["design"],
             _cell(r.get("target_mhz"), ".0f") if r.get("target_mhz") else "-",
             _cell(r.get("latency"))] + fig +
            [_cell(r.get("vs_step_limit")) if r.get("vs_step_limit") is not None else "-",
             r.get("goal", "-"), "-" if r["design"] in LIMITS else
             {True: "yes", False: "**no**", None: "missing"}[met],
             r.get("dsp_registers") or "-",
             "`{}`".format(r["critical_path"]) if r.get("critical_path") else
             (r.get("note") or "-")]) + " |")
    return "\n".join(lines) + "\n"


SUMMARY_DESIGNS = ("pipeline", "pipeline-cr", "tanh", "dsigmoid", "silu", "activation")


def summary(rows, commit, command, seconds):
    """One line per device: each design's Fmax at its target (nextpnr, then icetime on the
    iCE40; the ratio to the Horner-step limit on the ECP5) and whether it meets its goal."""
    devices = list(dict.fromkeys(r["device"] for r in rows))
    lines = ["Measured at commit `{}` by `{}` in {:.0f} s (seed 1; the whole table, critical "
             "paths and DSP registers: `docs/measured/speed.md`).".format(commit, command,
                                                                          seconds), "",
             "| device | target MHz | Horner-step limit MHz | " + " | ".join(SUMMARY_DESIGNS)
             + " |", "|" + "---|" * (3 + len(SUMMARY_DESIGNS))]
    for device in devices:
        mine = {r["design"]: r for r in rows if r["device"] == device}
        step = mine.get(STEP_LIMIT, {}).get("fmax_mhz")
        targets = sorted({r["target_mhz"] for r in mine.values() if r.get("target_mhz")})
        cells = []
        for name in SUMMARY_DESIGNS:
            r = mine.get(name)
            if r is None:
                cells.append("-")
                continue
            if r.get("fmax_mhz") is None:
                cells.append("missing")
                continue
            figure = "{}".format(r["fmax_mhz"])
            if device in ("up5k", "hx8k"):
                figure += " / {}".format(_cell(r.get("fmax_icetime_mhz")))
            elif r.get("vs_step_limit") is not None:
                figure += " ({}x)".format(r["vs_step_limit"])
            cells.append(figure + {True: " met", False: " **not met**", None: ""}[r.get("meets")])
        lines.append("| " + " | ".join([device, ", ".join("{:.0f}".format(t) for t in targets),
                                        _cell(step)] + cells) + " |")
    return "\n".join(lines) + "\n"


def _write(out_dir, data):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "speed.json"), "w") as f:
        json.dump(data, f, indent=1, default=str)
    args = (data["rows"], data["commit"], data["command"], data["seconds"])
    for name, render in (("speed.md", markdown), ("speed-summary.md", summary)):
        with open(os.path.join(out_dir, name), "w") as f:
            f.write(render(*args))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sigmoid_hw.scripts.speed",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", nargs="+", default=list(TARGETS), choices=list(TARGETS),
                        help="devices (default: all three)")
    parser.add_argument("--out-dir", default=None, metavar="DIR",
                        help="write speed.json, speed.md and speed-summary.md (the README's "
                             "block) here (e.g. docs/measured)")
    parser.add_argument("--load", default=None, metavar="FILE",
                        help="render an earlier speed.json instead of building")
    add_jobs_argument(parser)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    args.command_line = "python -m sigmoid_hw.scripts.speed " + shlex.join(
        sys.argv[1:] if argv is None else argv)
    if args.load:
        with open(args.load) as f:
            data = json.load(f)
    else:
        total = sum(len(TARGETS[d]) + len(LIMITS) for d in args.devices)
        start = time.monotonic()
        with bar(total, "builds", unit="run", enabled=not args.no_progress) as progress, \
                ticking(progress):
            rows = speed_rows(args.devices, jobs=args.jobs,
                              progress=lambda task: progress.update())
        data = {"command": command_line(args), "commit": commit(),
                "seconds": round(time.monotonic() - start, 1), "rows": rows}
    print(markdown(data["rows"], data["commit"], data["command"], data["seconds"]), end="")
    if args.out_dir:
        _write(args.out_dir, data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

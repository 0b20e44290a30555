"""Benchmark: how long ``sigmoid-hw generate`` takes to answer, from the command line.

    .venv/bin/python -m sigmoid_hw.scripts.bench_generate [--full] [--out-dir docs/measured]

Runs ``generate --estimate`` (the model's answer: candidates, the model proof on
every input, the cost model) for each spec of ``SPECS`` as a separate process
and times its wall clock; with ``--full`` also one full ``generate`` (built,
placed and routed, RTL proven) of the 16-bit faithful sigmoid on the UP5K.
Issue 20's targets: an estimate in under 10 s, a full 16-bit generate in under
15 minutes on 2 cores. A report, not a test: the figures are read, with the
machine's load average at the start (these machines are shared) beside them.
``--out-dir`` writes ``generate-bench.json`` and ``generate-bench.md`` there.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from sigmoid_hw.scripts.stamp import commit

__all__ = ["SPECS", "FULL", "time_command", "main"]

SPECS = [
    ["--function", "sigmoid", "--device", "up5k"],
    ["--function", "sigmoid", "--device", "up5k", "--accuracy", "correct"],
    ["--function", "tanh", "--device", "hx8k"],
    ["--function", "gelu", "--device", "ecp5-85f"],
    ["--function", "sigmoid", "--device", "up5k", "--accuracy", "256"],
    ["--function", "tanh", "--device", "up5k", "--method", "pipeline", "--max-dsp", "1"],
]
FULL = ["--function", "sigmoid", "--device", "up5k"]


def time_command(args, timeout=3600):
    """``(seconds, returncode, last line of stdout)`` of ``sigmoid-hw generate ARGS``."""
    command = [sys.executable, "-m", "sigmoid_hw.scripts.cli", "generate", *args,
               "--no-progress"]
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    seconds = time.monotonic() - start
    lines = done.stdout.strip().splitlines() or done.stderr.strip().splitlines() or [""]
    return seconds, done.returncode, lines[0]



def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true",
                        help="also one full generate (about 10 minutes)")
    parser.add_argument("--out-dir", default=None, metavar="DIR",
                        help="write generate-bench.json and generate-bench.md here")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    rows = []
    runs = [(spec + ["--estimate"], "estimate") for spec in SPECS]
    if args.full:
        runs.append((FULL + ["-o", tempfile.mkdtemp(prefix="bench-generate-")], "full"))
    for spec, kind in runs:
        seconds, code, first = time_command(spec)
        shown = [a for a in spec if not a.startswith(tempfile.gettempdir())]
        rows.append({"kind": kind, "args": " ".join(shown), "seconds": round(seconds, 1),
                     "exit": code, "answer": first})
        print("{:8} {:7.1f} s  exit {}  generate {}\n         {}".format(
            kind, seconds, code, " ".join(shown), first), flush=True)
    stamp = time.strftime("%Y-%m-%d")
    text = ["Measured at commit `{}` on {} by `python -m sigmoid_hw.scripts.bench_generate{}`; "
            "load average {:.1f} at the start (2 cores).".format(
                commit(), stamp, " --full" if args.full else "", load), "",
            "| run | sigmoid-hw generate ... | wall s | exit | first line of the answer |",
            "|---|---|---|---|---|"]
    text += ["| {kind} | `{args}` | {seconds} | {exit} | {answer} |".format(
        **dict(r, answer=r["answer"].replace("|", "/"))) for r in rows]
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        with open(os.path.join(args.out_dir, "generate-bench.json"), "w") as f:
            json.dump({"commit": commit(), "date": stamp, "load": round(load, 2),
                       "rows": rows}, f, indent=1)
        with open(os.path.join(args.out_dir, "generate-bench.md"), "w") as f:
            f.write("\n".join(text) + "\n")
    return 0 if all(r["exit"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""``make demo``: the main job, step by step, each step a ``sigmoid-hw`` subcommand."""

import sys
import time

from scripts.cli import main as cli_main

# (title, argv). Later issues extend this list; each step must succeed.
STEPS = [
    ("Seed reproduction report", ["model"]),
]


def main():
    for title, argv in STEPS:
        print("\n=== {}: sigmoid-hw {}".format(title, " ".join(argv)), flush=True)
        start = time.monotonic()
        code = cli_main(argv)
        if code:
            print("demo step failed with exit code {}".format(code), file=sys.stderr)
            return code
        print("--- {} done in {:.1f} s".format(title, time.monotonic() - start), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

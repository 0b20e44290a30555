# amaranth: UnusedElaboratable=no
"""The seed-000 detection head: objectness scores filtered before the sigmoid is computed.

Run ``python -m examples.detection_head [--grid N] [--threshold T]``. A
generated YOLO-style head (numpy only): an N x N grid with 3 anchors, each
with an objectness logit, mostly background (negative logits) and a few
objects. ``hw.ScoreFilter`` decides ``sigmoid(logit) > t`` exactly with its
``ThresholdComparator`` (``raw >= L``, no sigmoid) and sends only the
survivors through the ``SigmoidPipeline``. The run prints how many sigmoids
that saved, and checks the survivors and their scores against exact
arithmetic and the integer model.
"""

import argparse
from fractions import Fraction

import numpy as np

from sigmoid_hw.hw import ScoreFilter
from sigmoid_hw.hw.streamsim import run_stream
from sigmoid_hw.model.accuracy import correctly_rounded_sigmoid
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.threshold import threshold_limit
from sigmoid_hw.model.trace import sigmoid_fixed

__all__ = ["run", "main"]


def _logits(grid, rng, objects):
    logits = rng.normal(-6.0, 1.5, grid * grid * 3)
    hits = rng.choice(logits.size, size=objects, replace=False)
    logits[hits] = rng.normal(2.5, 1.5, objects)
    return SQ(4, 12).from_float(logits, overflow="saturate")


def run(grid=13, threshold="1/2", seed=0, objects=12):
    """Filter one head; returns a dict of counts and checks."""
    fmt = SQ(4, 12)
    t = Fraction(threshold)
    raw = _logits(grid, np.random.default_rng(seed), objects)
    head = ScoreFilter(fmt, tag_bits=max(1, (raw.size - 1).bit_length()), threshold=t)
    limit = threshold_limit(t, fmt)
    expected = np.flatnonzero(raw >= limit)
    out, cycles = run_stream(head, [{"logit": int(v), "tag": k} for k, v in enumerate(raw)],
                             expected_count=len(expected))
    tags = np.array([o["tag"] for o in out], dtype=np.int64)
    scores = np.array([o["sigmoid"] for o in out], dtype=np.int64)
    # the float decision as a cross-check (no logit here is within 1e-12 of the boundary)
    exact_pass = np.array([1 / (1 + np.exp(-v / 4096.0)) for v in raw]) > float(t)
    return {
        "anchors": int(raw.size), "passed": len(out), "saved": int(raw.size - len(out)),
        "cycles": cycles,
        "same_as_exact": bool(np.array_equal(tags, expected)) and bool(
            np.array_equal(np.flatnonzero(exact_pass), expected)),
        "scores_equal_model": bool(np.array_equal(scores, sigmoid_fixed(raw[tags], head.params))),
        "max_score_error": int(np.max(np.abs(scores - correctly_rounded_sigmoid(
            raw[tags], fmt, 16)))) if len(out) else 0,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=13)
    parser.add_argument("--threshold", default="1/2")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    r = run(args.grid, args.threshold, args.seed)
    print("detection head {0}x{0}x3: {1} anchors, {2} pass objectness > {3}; {4} sigmoids "
          "saved ({5:.1%}) in {6} cycles".format(args.grid, r["anchors"], r["passed"],
                                                 args.threshold, r["saved"],
                                                 r["saved"] / r["anchors"], r["cycles"]))
    print("  survivors == exact decision: {}; scores == integer model: {}; largest distance "
          "from the correctly rounded sigmoid: {} ulp".format(
              r["same_as_exact"], r["scores_equal_model"], r["max_score_error"]))
    return 0 if r["same_as_exact"] and r["scores_equal_model"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

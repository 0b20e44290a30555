"""A sigmoid's accuracy as the commands report it, with what explains an error above the bound.

Two things make a measured error exceed the pipeline's proven bound
(``0.5 + plan.error_bound`` ulp) without any defect in the arithmetic, and
the commands say so instead of printing a bare number:

* saturation: for x near the top of the range, ``2^F sigmoid(x)`` rounds to
  ``2^F``, which ``UQ(0, F)`` cannot hold; the output is ``2^F - 1``, the
  nearest representable value, with an error below 1 ulp. These inputs are
  exactly ``raw >= L`` with ``L = threshold_limit(1 - 2^-(F+1))`` (the
  rounding boundary ``sigmoid(x) = 1 - 2^-(F+1)`` is never met exactly, since
  its logit ``ln(2^(F+1) - 1)`` is irrational), so they are counted exactly
  and the max error is also given without them;
* steps down (``sigmoid_hw.model.accuracy.monotonic_violations``): rare flips of one
  rounding where sigmoid rises by a tiny fraction of an ulp per input step
  (docs/accuracy.md, the 24-bit minimax row).
"""

from fractions import Fraction

import numpy as np

from sigmoid_hw.model.accuracy import error_metrics, monotonic_violations
from sigmoid_hw.model.threshold import threshold_limit
from sigmoid_hw.report.text import count as count_of

__all__ = ["saturation_limit", "accuracy_figures", "error_note", "monotonic_note",
           "accuracy_notes"]


def saturation_limit(in_format, out_bits):
    """The smallest raw input whose exact ``2^F sigmoid(x)`` rounds to ``2^F`` (``max + 1``: none)."""
    return threshold_limit(1 - Fraction(1, 1 << (out_bits + 1)), in_format)


def accuracy_figures(raw_y, raw_x, in_format, out_bits):
    """``sigmoid_hw.model.accuracy.error_metrics`` plus saturation and monotonicity.

    Returns
    -------
    dict
        The ``error_metrics`` keys, and ``saturated`` (inputs whose exact
        result rounds to 2^F), ``saturation_x`` (the smallest such raw input,
        or None), ``max_ulp_unsaturated`` (the max error over the other
        inputs; None if there are none), ``monotonic``, ``steps_down`` (their
        number) and ``steps`` (up to three ``[x_lo, x_hi, y_lo, y_hi]``, raw).
    """
    raw_x = np.asarray(raw_x)
    raw_y = np.asarray(raw_y)
    figures = error_metrics(raw_y, raw_x, in_format, out_bits)
    limit = saturation_limit(in_format, out_bits)
    saturated = raw_x >= limit
    count = int(np.count_nonzero(saturated))
    if count == 0:
        unsaturated = figures["max_ulp"]
    elif count == raw_x.size:
        unsaturated = None
    else:
        unsaturated = error_metrics(raw_y[~saturated], raw_x[~saturated], in_format,
                                    out_bits)["max_ulp"]
    steps = monotonic_violations(raw_x, raw_y)
    output = dict(zip(raw_x.ravel().tolist(), raw_y.ravel().tolist())) if steps else {}
    figures.update(saturated=count, saturation_x=int(limit) if count else None,
                   max_ulp_unsaturated=unsaturated, monotonic=not steps,
                   steps_down=len(steps),
                   steps=[[lo, hi, int(output[lo]), int(output[hi])] for lo, hi in steps[:3]])
    return figures


def error_note(figures, in_format, out_bits, bound):
    """A line that explains a max error above ``bound`` (None if it is within)."""
    if figures["max_ulp"] <= bound:
        return None
    if not figures["saturated"]:
        return ("max error {:.4f} ulp is ABOVE the bound {:.4f} ulp and not explained by "
                "saturation: a defect".format(figures["max_ulp"], bound))
    below = figures["max_ulp_unsaturated"]
    return ("max error above the bound from saturation: {} inputs (x >= {:.6g}) have "
            "2^{F} sigmoid(x) rounding to 2^{F}, which UQ(0,{F}) cannot hold, so their output "
            "is 2^{F} - 1 (error < 1 ulp); without them max {} ulp ({} the bound {:.4f})".format(
                figures["saturated"], in_format.to_float(figures["saturation_x"]),
                "-" if below is None else "{:.4f}".format(below),
                "within" if below is None or below <= bound else "ABOVE", bound, F=out_bits))


def monotonic_note(figures):
    """A line that lists the steps down (None if the outputs are monotonic)."""
    if not figures["steps_down"]:
        return None
    return ("not monotonic: {} down ({}{}); the width rule guarantees monotonicity against "
            "acc_1's rounding noise only (docs/accuracy.md)".format(
                count_of(figures["steps_down"], "step"),
                "; ".join("raw x {} -> {}: y {} -> {}".format(*step) for step in figures["steps"]),
                "; ..." if figures["steps_down"] > len(figures["steps"]) else ""))


def accuracy_notes(figures, in_format, out_bits, bound):
    """The lines of ``error_note`` and ``monotonic_note`` that apply."""
    notes = (error_note(figures, in_format, out_bits, bound), monotonic_note(figures))
    return [note for note in notes if note is not None]

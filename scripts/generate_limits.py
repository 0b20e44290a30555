"""The limits of a ``generate`` spec: what a candidate's figures break, and how far an
estimate may be trusted.

``check_limits`` compares figures (an estimate or a build) with the spec's
``--max-*``, ``--target-mhz`` and ``--min-rate`` and with the device's capacity
(``CAPACITY``); ``_estimate_verdict`` decides whether an estimate rejects a
candidate, lets a build decide, or is sure; ``cost_key`` is what the search
minimizes.
"""

import math

__all__ = ["CAPACITY", "ESTIMATE_SLACK", "check_limits", "cost_key"]


def cost_key(spec, figures):
    """The quantity to minimize: a tuple in ``spec.order`` or a weighted sum."""
    if spec.weights is not None:
        return (sum(w * float(figures[k]) for k, w in spec.weights.items()),)
    return tuple(float(figures[k]) if figures[k] != "missing" else math.inf
                 for k in spec.order)


# How far an estimate may miss a LUT/FF limit or an Fmax target and still be built: the
# cost model's LUT and Fmax errors are tens of percent for some designs (leave-one-out over
# its 163 builds, docs/measured/cost-model-errors.md: LUT mean 31 / max 149, Fmax mean 21.6
# MHz), so a hard cut on the estimate would throw away the answer. DSP and block RAM are
# counted as Yosys maps them and kept strict.
ESTIMATE_SLACK = {"luts": 1.5, "ffs": 1.5, "fmax_mhz": 0.75}


def check_limits(spec, figures, device_capacity, interval=1, slack=None):
    """The constraints ``figures`` break: ``[(constraint, value, limit)]`` (the rate is Fmax
    over the initiation ``interval``). With ``slack`` (``ESTIMATE_SLACK`` for an estimate),
    a LUT/FF figure breaks a limit only above ``limit * slack`` and Fmax only below
    ``target * slack``."""
    slack = slack or {}
    broken = []
    for key, limit in spec.limits().items():
        value = figures.get(key)
        if limit is not None and value != "missing" and value > limit * slack.get(key, 1):
            broken.append(("max-" + key[:-1], value, limit))
    for key, cap in device_capacity.items():
        value = figures.get(key)
        if value != "missing" and value is not None and value > cap * slack.get(key, 1):
            broken.append(("device " + key, value, cap))
    fmax = figures.get("fmax_mhz")
    if fmax not in (None, "missing"):
        fmax_slack = slack.get("fmax_mhz", 1)
        if spec.target_mhz is not None and fmax < spec.target_mhz * fmax_slack:
            broken.append(("target-mhz", fmax, spec.target_mhz))
        rate = fmax / interval
        if spec.min_rate is not None and rate < spec.min_rate * fmax_slack:
            broken.append(("min-rate", round(rate, 2), spec.min_rate))
    return broken


def _estimate_verdict(spec, est, interval):
    """``(rejection or None, sure)``: an estimate that breaks a limit beyond the slack is
    rejected; one that meets every limit only within the slack, or has a figure missing
    that a limit or the ranking needs, is not ``sure`` (a build must confirm it)."""
    capacity = CAPACITY[spec.device]
    broken = check_limits(spec, est, capacity, interval, ESTIMATE_SLACK)
    if broken:
        return "estimate: " + _describe_broken(broken), False
    needed = set(spec.weights or spec.order) | {k for k, v in spec.limits().items()
                                                  if v is not None}
    if spec.target_mhz is not None or spec.min_rate is not None:
        needed.add("fmax_mhz")
    sure = (not check_limits(spec, est, capacity, interval)
            and all(est.get(k) != "missing" for k in needed))
    return None, sure


def _describe_broken(broken):
    return "; ".join("{} {} > {}".format(c, v, l) if not c.startswith(("target", "min"))
                     else "{} {} MHz < {}".format(c, v, l) for c, v, l in broken)


# device capacity (LUT4s, DSP blocks, block RAMs) for the "fits the device" check
CAPACITY = {
    "up5k": {"luts": 5280, "dsps": 8, "brams": 30},
    "hx8k": {"luts": 7680, "dsps": 0, "brams": 32},
    "ecp5-85f": {"luts": 83640, "dsps": 156, "brams": 208},
    "gw1nr-9": {"luts": 8640, "dsps": 20, "brams": 26},
    "gw2a-18": {"luts": 20736, "dsps": 48, "brams": 46},
}

"""The Pareto front of the comparison: no other design of the same device is better in every way."""

__all__ = ["pareto_front", "COST_KEYS"]

COST_KEYS = ("luts", "dsps", "brams")


def _key(row):
    return (row["max_ulp"],) + tuple(row[k] for k in COST_KEYS)


def pareto_front(rows):
    """Rows (with accuracy and resources) that no other row of the same device dominates.

    Cost is (LUT, DSP, BRAM); a row dominates another when its max error and
    every cost are no larger and one is smaller. Rows without an accuracy or
    without resources (a design that did not fit) take no part.
    """
    candidates = [r for r in rows if r.get("max_ulp") is not None and r.get("luts") is not None]
    front = []
    for r in candidates:
        dominated = any(o is not r and o["device"] == r["device"]
                        and all(a <= b for a, b in zip(_key(o), _key(r))) and _key(o) != _key(r)
                        for o in candidates)
        if not dominated:
            front.append(r)
    return front

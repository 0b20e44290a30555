"""One wording for every command's output: counts with their noun, yes/no, errors in ulp."""

import math

__all__ = ["count", "yes_no", "ulp"]

# the limits an error in ulp is read against: correct rounding and faithful rounding
_ULP_LIMITS = (0.5, 1.0)


def count(n, noun, plural=None):
    """``"1 cycle"``, ``"10 cycles"`` (``plural`` for nouns that do not take an s)."""
    return "{} {}".format(n, noun if n == 1 else (plural or noun + "s"))


def yes_no(flag):
    """``"yes"`` or ``"no"``."""
    return "yes" if flag else "no"


def ulp(value, digits=4):
    """An error in ulp with ``digits`` decimals, more where rounding would reach a limit.

    ``0.99997`` is ``"0.99997"``, not ``"1.0000"`` (which reads as an unfaithful result),
    and ``0.4999984`` is ``"0.4999984"``, not ``"0.5000"``.
    """
    value = float(value)
    for places in range(digits, 10):
        text = "{:.{}f}".format(value, places)
        if not any(value < limit <= float(text) for limit in _ULP_LIMITS):
            return text
    return "{:.9f}".format(math.floor(value * 1e9) / 1e9)     # truncated: stays below

"""Parameter checks shared by every module, with one rule for the exception type.

* ``TypeError``: the value has the wrong type (a float where an integer is
  needed, a string where a format is needed, ``True`` for an integer).
* ``ValueError``: the type is right but the value is impossible (out of
  range, not one of the choices).

Every message names the parameter and the value: ``"order must be an
integer, not 2.5"``, ``"order must be between 1 and 12, not 13"``.
"""

import numbers
from fractions import Fraction

__all__ = ["check_int", "check_bool", "check_choice", "check_real", "check_instance"]


def check_int(name, value, lo=None, hi=None):
    """``value`` as an ``int`` in ``[lo, hi]`` (either end may be ``None``)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError("{} must be an integer, not {!r}".format(name, value))
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        if hi is None:
            raise ValueError("{} must be at least {}, not {!r}".format(name, lo, value))
        if lo is None:
            raise ValueError("{} must be at most {}, not {!r}".format(name, hi, value))
        raise ValueError("{} must be between {} and {}, not {!r}".format(name, lo, hi, value))
    return value


def check_bool(name, value):
    """``value`` if it is a ``bool``."""
    if not isinstance(value, bool):
        raise TypeError("{} must be True or False, not {!r}".format(name, value))
    return value


def check_choice(name, value, choices):
    """``value`` if it is one of ``choices`` (strings)."""
    if not isinstance(value, str):
        raise TypeError("{} must be one of {}, not {!r}".format(
            name, ", ".join(repr(c) for c in choices), value))
    if value not in choices:
        raise ValueError("{} must be one of {}, not {!r}".format(
            name, ", ".join(repr(c) for c in choices), value))
    return value


def check_real(name, value, lo=None, hi=None, *, open_lo=False, open_hi=False):
    """``value`` as an exact ``Fraction`` in the interval (ends given, open or closed).

    Accepts ints, Fractions and finite floats (converted exactly); NaN and
    infinities are ``ValueError``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError("{} must be a real number, not {!r}".format(name, value))
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise ValueError("{} must be a finite number, not {!r}".format(name, value))
    q = Fraction(value)
    below = lo is not None and (q <= lo if open_lo else q < lo)
    above = hi is not None and (q >= hi if open_hi else q > hi)
    if below or above:
        interval = "{}{}, {}{}".format("(" if open_lo else "[", "-inf" if lo is None else lo,
                                       "inf" if hi is None else hi, ")" if open_hi else "]")
        raise ValueError("{} must be in {}, not {!r}".format(name, interval, value))
    return q


def check_instance(name, value, types, what):
    """``value`` if it is an instance of ``types``; ``what`` describes them in the message."""
    if not isinstance(value, types):
        raise TypeError("{} must be {}, not {!r}".format(name, what, value))
    return value

"""One wording for every command's output: counts with their noun, yes/no."""

__all__ = ["count", "yes_no"]


def count(n, noun, plural=None):
    """``"1 cycle"``, ``"10 cycles"`` (``plural`` for nouns that do not take an s)."""
    return "{} {}".format(n, noun if n == 1 else (plural or noun + "s"))


def yes_no(flag):
    """``"yes"`` or ``"no"``."""
    return "yes" if flag else "no"

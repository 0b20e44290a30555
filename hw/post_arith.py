"""The arithmetic of ``ActivationUnit``'s post stages: partial products, adder levels, fixes."""

from amaranth import *

__all__ = ["logic_chunk", "partial_products", "pairwise", "fix"]

_LOGIC_CHUNK = 9      # at most, bits per partial product where the family has no DSP block


def logic_chunk(fam, target_mhz):
    """Signed bits per operand chunk of a partial product in logic: the widest, up to
    ``_LOGIC_CHUNK``, whose multiply fits one step of the delay model (at least 2)."""
    period = 1000.0 / target_mhz
    size = 2
    while size < _LOGIC_CHUNK and fam.overhead + fam.multiply(size + 1, size + 1) <= period:
        size += 1
    return size


def partial_products(s, b, s_chunks, b_chunks):
    """The shifted partial products of unsigned ``s`` and signed ``b``: their sum is s b."""
    terms = []
    for s_lo, s_hi in s_chunks:
        for b_lo, b_hi in b_chunks:
            part = b[b_lo:b_hi].as_signed() if b_hi == len(b) else b[b_lo:b_hi]
            terms.append((s[s_lo:s_hi] * part) << (s_lo + b_lo))
    return terms


def pairwise(terms):
    """One level of an adder tree: neighbours added, an odd one carried."""
    out = [terms[j] + terms[j + 1] for j in range(0, len(terms) - 1, 2)]
    return out + ([terms[-1]] if len(terms) % 2 else [])


def fix(m, x, corrections):
    """+1 / -1 / 0 for an input matched against ``(x_raw, delta)`` pairs."""
    up = [x == a for a, d in corrections if d > 0]
    down = [x == a for a, d in corrections if d < 0]
    up = Cat(*up).any() if up else Const(0)
    down = Cat(*down).any() if down else Const(0)
    return Mux(up, 1, Mux(down, -1, 0))

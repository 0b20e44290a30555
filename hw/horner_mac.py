"""A Horner multiply-add inside SB_MAC16 blocks with all their registers (the UP5K at a target).

Where ``HornerSchedule.mac`` (``sigmoid_hw.hw.timing``, ``Family.mac``) the step
``acc_k = (d acc_(k+1) + A_k) >> s_k`` is one SB_MAC16 per chunk of acc_(k+1)
(``sigmoid_hw.hw.dsp.sb_mac16``: 16 x 16 product plus 32-bit add, A/B input,
partial-product, product and C/D input and output registers all inside the
block), and the addend goes through the blocks' adders. With chunks at bit
offsets ``o_0 = 0 < o_1 < ...`` block j computes

    q_j = d * acc[o_j:o_(j+1)] + A[o_j:o_(j+1)]          (the top chunk: + A >> o_top)

so ``sum_j q_j 2^(o_j) = d acc + A`` exactly: a low chunk's block never wraps
(d has at most 16 bits and a low chunk and its addend slice 15: |q_j| < 2^31),
and the top one is needed modulo ``2^(W - o_top)`` only (``W = s_k +
width(acc_k)``, at most 32 by the schedule). One chunk: acc_k is bits
``s_k .. W`` of q_0. Several: the ``q_j`` are copied into a fabric register and
added there (``sigmoid_hw.hw.horner._segment``'s segments, ``"round"`` ops) above
bit ``b = min(s_k, o_1)`` only: below ``o_1`` the sum's bits are q_0's and make
no carry, below ``s_k`` they are dropped, so the terms are ``q_j 2^(o_j) >> b``
modulo ``2^(W - b)`` and acc_k their sum's bits ``s_k - b .. W - b``.

Registers of the stage, in the chain (one kind each, ``KINDS``): the word's
fields beside the blocks' A/B register (``"mac"``: the blocks are made here,
fed from the fabric register before), their partial-product register
(``"mac_hold"``: the addend slices carried), their product register H
(``"mac_c"``: the slices enter the C/D registers, two clocks after A/B), their
output register (``"mac_out"``), then a fabric register: the next stage's
first (``"mac_last"``, one chunk) or the blocks' outputs as terms
(``"mac_copy"``). The datapath must run free (the credit handshake): the
blocks have no clock enable.

The last addend ``A = y0 + A_0(n)`` is never added in the fabric (a 35-bit
chain, 16.7 ns on the UP5K at 90 MHz): with table coefficients and no
correction the blocks take ``A_0(n) + (y0 mod 2^(o_1))`` (a per-n constant,
one lookup per bit) in the first block's C and y0's bits above ``o_1`` from
the bit pattern (``BitPatternReference``) in the others'.
"""

from amaranth import *
from amaranth.lib import data

from sigmoid_hw.hw.coefficients import _table
from sigmoid_hw.hw.dsp import sb_mac16
from sigmoid_hw.hw.reference import BitPatternReference

__all__ = ["KINDS", "mac_span", "mac_stage", "mac_step"]

KINDS = ("mac", "mac_hold", "mac_c", "mac_out", "mac_last", "mac_copy")


def mac_base(sched, shift):
    """The bit above which a stage's block sums are added (``min(s_k, o_1)``; 0: one block)."""
    return min(shift, sched.acc_chunks[1][0]) if len(sched.acc_chunks) > 1 else 0


def mac_span(sched, shift, width):
    """``(s_k - b, W - b)``: the shift and width of the add of the block sums."""
    base = mac_base(sched, shift)
    return shift - base, width - base


def _y0_low(ev, k, sched):
    """``A_0(n) + (y0(n) mod 2^(o_1))`` per n where stage k takes y0 through its blocks, else
    None (a stage above 0, one block, derived coefficients, corrections)."""
    plan = ev._plan
    if k != 0 or len(sched.acc_chunks) < 2 or plan.coefficients.kind != "table" \
            or plan.reduction.corrections:
        return None
    low = 1 << sched.acc_chunks[1][0]
    values = [a + y % low for a, y in zip(plan.coefficients.addend[0], plan.horner.y0_raw)]
    # the first block must not wrap: |d * chunk| + |C| below 2^31
    reach = (1 << (plan.reduction.d_width - 1)) * (low - 1) + max(abs(v) for v in values)
    return values if reach < 1 << 31 else None


def _slice_shape(sched, j, addend_width, y0_low):
    lo, hi = sched.acc_chunks[j]
    if j == 0 and y0_low is not None:
        return signed(max(max(v, ~v).bit_length() for v in y0_low) + 1)
    if j == len(sched.acc_chunks) - 1:
        return signed(max(1, addend_width - lo))
    return unsigned(hi - lo)


def _slices(sched, addend):
    """The addend's slices, one per chunk (the top one signed: ``A >> o_top``)."""
    addend = Value.cast(addend)
    out = []
    for j, (lo, hi) in enumerate(sched.acc_chunks):
        if j == len(sched.acc_chunks) - 1:
            out.append(addend[min(lo, len(addend) - 1):].as_signed())
        else:
            fill = addend[-1].replicate(max(0, hi - len(addend)))
            out.append(Cat(addend, fill)[lo:hi])
    return out


def mac_stage(ev, k, sched, carried, layouts, f_bits):
    """Add the registers of MAC stage k to ``ev`` (a ``HornerEvaluator``): its steps, their
    layouts and fraction bits. Returns None (one chunk: the stage is complete) or the
    template state (``{"terms": ...}``) its add segments start from (several chunks)."""
    h = ev._plan.horner
    width = h.shifts[k] + h.acc_width[k] - mac_base(sched, h.shifts[k])
    n = len(sched.acc_chunks)
    y0_low = _y0_low(ev, k, sched)
    slices = {"mc{}".format(j): _slice_shape(sched, j, h.addend_width[k], y0_low)
              for j in range(n)}
    clash = set(slices) & set(carried)
    if clash:
        raise AssertionError("MAC slice fields {} clash with carried fields".format(sorted(clash)))
    terms = {"t{}".format(j): unsigned(width) for j in range(n)}
    regs = [("mac", slices), ("mac_hold", slices), ("mac_c", {}), ("mac_out", {})]
    regs += [("mac_copy", terms)] if n > 1 else []
    for kind, fields in regs:
        ev._steps.append((k, False, False, (), None, kind))
        layouts.append(data.StructLayout(dict(carried, **fields)))
        f_bits.append(dict(ev._f_bits(None, -1), **{name: h.prod_frac[k] for name in fields
                                                    if name.startswith("t")}))
    if n > 1:
        return {"terms": [Signal(width, name="mac_probe") for _ in range(n)]}
    ev._steps.append((k, False, True, (), None, "mac_last"))
    layouts.append(ev._out_layout if k == 0 else ev._acc_layout(k - 1))
    f_bits.append(ev._f_bits(k, k - 1))
    return None


def _y0_slices(m, p, ev, sched, y0_low):
    """The blocks' C values of the last stage: y0 + A_0 without an add (``_y0_low``)."""
    h = ev._plan.horner
    ref = m.submodules.mac_reference = BitPatternReference(ev._plan.reduction.n_max, h.y0_frac)
    m.d.comb += ref.n.eq(p.n)
    y0 = Cat(ref.y0, Const(0, 1))
    width = _slice_shape(sched, 0, None, y0_low).width
    out = [_table(m, p.n, y0_low, width, "mac_a0", lookup=True)]
    for j, (lo, hi) in enumerate(sched.acc_chunks[1:], 1):
        out.append(y0[lo:].as_signed() if j == len(sched.acc_chunks) - 1 else y0[lo:hi])
    return out


def mac_step(m, p, kind, k, ev, blocks, carry, next_fields, primitives):
    """The fields of one register of MAC stage k from the register before (``p``).

    ``blocks`` is the state shared by the stage's steps: ``"mac"`` fills it with
    the blocks' outputs and their C inputs. ``carry(p, k)`` gives the fields a
    register carries; ``next_fields(m, p, k, acc_k)`` those of the next stage's first.
    """
    sched = ev._schedule_of[k]
    h = ev._plan.horner
    shift, width = h.shifts[k], h.shifts[k] + h.acc_width[k]
    if kind == "mac_last":
        return next_fields(m, p, k, blocks[k][0][0][shift:width].as_signed())
    carried = carry(p, k)
    chunks = sched.acc_chunks
    if kind == "mac":
        acc, d = Value.cast(p.acc), Value.cast(p.d)
        outs, cs = [], []
        for j, (lo, hi) in enumerate(chunks):
            a = acc[lo:hi].as_signed() if hi == len(acc) else acc[lo:hi]
            c = Signal(32, name="mac{}_{}_c".format(k, j))
            outs.append(sb_mac16(m, a, d, c, instance=primitives,
                                 name="mac{}_{}".format(k, j)))
            cs.append(c)
        blocks[k] = (outs, cs)
        y0_low = _y0_low(ev, k, sched)
        slices = _slices(sched, p.addend) if y0_low is None else _y0_slices(m, p, ev, sched,
                                                                             y0_low)
        return dict(carried, **{"mc{}".format(j): s for j, s in enumerate(slices)})
    outs, cs = blocks[k]
    if kind == "mac_hold":
        return dict(carried, **{"mc{}".format(j): p["mc{}".format(j)]
                                for j in range(len(chunks))})
    if kind == "mac_c":
        # the C/D registers take the slices two clocks after A/B took the operands, beside
        # the product register H
        for j, c in enumerate(cs):
            m.d.comb += c.eq(p["mc{}".format(j)])
        return dict(carried)
    if kind == "mac_out":
        return dict(carried)
    if kind == "mac_copy":
        base = mac_base(sched, shift)
        terms = {}
        for j, ((lo, _), q) in enumerate(zip(chunks, outs)):
            # a low block's sum is exact: its 32 bits sign-extended; the top one modulo 2^32
            term = Cat(Const(0, lo), q, q[-1].replicate(width)) if j < len(chunks) - 1 else \
                Cat(Const(0, lo), q)
            terms["t{}".format(j)] = term[base:width]
        return dict(carried, **terms)
    raise ValueError("kind must be one of {}, not {!r}".format(KINDS, kind))

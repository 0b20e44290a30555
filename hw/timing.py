"""A per-family delay model, and where it puts registers for a target frequency.

``schedule(plan, family, target_mhz)`` decides how the pipeline of ``plan``
is split into registered steps so that every step's estimated delay fits one
clock period (``1000 / target_mhz`` ns); ``target_mhz=None`` gives today's
structure (``Schedule.none``). The arithmetic never changes: only where the
registers are.

The model (``FAMILIES``, in ns) counts, for a register-to-register step,
``overhead`` (clock-to-out, setup and the net into the next register) plus,
per operation, one net (``route``) and its logic: ``lut`` per LUT level,
``carry`` per bit of a carry chain, ``dsp`` for a multiply in one DSP block
(``native`` bits per signed operand), and, where there is no DSP, a
multiply in logic as Yosys builds it (``maccmap``: a Wallace tree of full
adders, ``lut + route`` per level, then one carry-chain adder). The numbers
were fitted to nextpnr's own reports of the limit circuits
(``sigmoid_hw.hw.baselines.limits``) and of the pipeline; docs/implementation.md shows where the
model and nextpnr disagree.

How a Horner multiply-add ``acc_k = (d acc_(k+1) + A_k) >> s_k`` is split:

- the product is a sum of partial products of operand chunks that each fit
  one DSP (``native`` bits; low chunks unsigned) or, in logic, of ``digit``
  bits of d;
- every sum is computed modulo ``2^W``, ``W = s_k + width(acc_k)`` (the
  result's bits are all that is kept, and two's complement sums and products
  are exact modulo ``2^W``), pairwise, one tree level after another;
- every carry chain is cut into segments of at most ``max_carry`` bits, at
  ``s_k`` first (below it the final add only makes a carry), with the carry
  registered between segments (on the UP5K the complement of the next sum
  bit instead, ``Family.sums``);
- the operations are then packed greedily, in order, into steps that fit the
  period (``pack``); on an iCE40 with DSPs a register always follows a
  multiply (the SB_MAC16's own output register).

The handshake is chosen per family by measurement (``Family.credit``): on
the iCE40s the credit handshake (a free-running datapath and
``sigmoid_hw.hw.chain.CreditBuffer``), on ECP5 the shared stall, which measured faster
there.
"""

from dataclasses import dataclass
import math
import numbers

__all__ = ["Family", "FAMILIES", "Schedule", "HornerSchedule", "schedule", "pack",
           "segments", "chunks"]


@dataclass(frozen=True)
class Family:
    """Delays of one FPGA family (ns), see the module docstring."""
    name: str
    overhead: float
    route: float
    lut: float
    carry: float
    native: object         # signed bits of a DSP multiplier port, or None (no DSP)
    dsp: float = 0.0
    register_dsp: bool = False   # a register after every multiply (inside the DSP)
    # the DSP block by direct instance with its input, pipeline and output registers
    # (sigmoid_hw.hw.dsp), used where the multiply between fabric registers does not fit the period:
    # the step after it holds only the DSP's output net
    hard_dsp: bool = False
    credit: bool = True          # the credit handshake at a target (else the shared stall)
    # a chain's result leaving it (iCE40: the carry out through one more LUT, whose
    # flip-flop nextpnr does not pack beside it, and that flip-flop's net)
    exit: float = 0.0
    # carry segments end in a sum bit, not a carry out (sigmoid_hw.hw.horner._segment)
    sums: bool = False
    # at a target, the coefficient tables bit by bit from n (sigmoid_hw.hw.coefficients._table),
    # decided by measurement: on the HX8K at 100 MHz tanh's tables were 5 LUT levels as a
    # case on n (90.8 MHz; 98.6 as lookups); on the UP5K they are off the critical path and
    # the lookups measured 83.7 against 87.5 MHz (another placement); ECP5 unit at 250 MHz:
    # the case, 2 LUTs into a flop's reset, 180.3 MHz; as lookups 219.6
    lookup_tables: bool = False
    # Horner terms keep their width in the registers, read sign-extended (sigmoid_hw.hw.terms):
    # the HX8K unit's 101 copies of sign bits were flip-flops placed away (2.4 ns nets)
    narrow: bool = False
    # correct rounding's match (a == a_k, their ORs, the sign) over two steps where one does
    # not hold it (ECP5: 5.5 ns at 250 MHz; the others not measured, unchanged)
    match_split: bool = False
    # each Horner multiply-add in SB_MAC16 blocks with every register (sigmoid_hw.hw.horner_mac):
    # one block per acc chunk, the addend's slices through C/D, where the step does not fit
    mac: bool = False
    # the credit buffer's read decision one LUT from registers (sigmoid_hw.hw.credit); ECP5
    # tanh at 250 MHz: that decision into an enable, 5.87 ns, 170.42 MHz; with it 198.77
    level_ahead: bool = False
    # the reducer's a - C_n as a + ~C_n + 1, ~C_n registered (sigmoid_hw.hw.reduction)
    complement: bool = False

    def add(self, bits):
        """One carry-chain add (or compare) of ``bits`` bits."""
        return self.route + self.lut + self.carry * bits + self.exit

    def logic(self, levels=1):
        return levels * (self.route + self.lut)

    def multiply(self, a_bits, b_bits):
        """One partial product of ``a_bits`` x ``b_bits`` (signed widths)."""
        if self.native is not None:
            return self.route + self.dsp
        rows = min(a_bits, b_bits)
        if rows <= 1:
            return self.logic()
        # 3:2 full-adder levels from rows to 2, then one adder over the product
        levels = math.ceil(math.log(rows / 2, 1.5)) if rows > 2 else 0
        return self.logic(levels) + self.add(a_bits + b_bits)


FAMILIES = {
    # LFE5U-85F speed 6, from MULT18X18D (7.0-7.3 ns reg to reg) and 32-bit adder (3.67 ns)
    # measured at 150 MHz, same split datapath: shared stall 141.5 MHz and 808 LUTs, credit
    # buffer 137.5 MHz and 950 LUTs: the stall stays (HX8K at 100: stall 93.1, credit 102.4)
    "ecp5": Family("ecp5", overhead=1.25, route=0.65, lut=0.25, carry=0.055, native=18,
                   dsp=5.35, credit=False, hard_dsp=True, match_split=True, lookup_tables=True,
                   level_ahead=True),
    # iCE40 UP5K: 32-bit adder 15.3 ns; SB_MAC16 paths are untimed by nextpnr. route and
    # lut from the LUT levels of nextpnr's critical paths at 90 MHz (1.76-3.0 ns a net,
    # 0.87-1.21 a LUT); exit from its carry-chain paths (a 16-bit |x| alone, 14.0 ns; a
    # 16-bit Horner segment from a registered carry to a registered carry, 13.9 ns):
    # a chain's end costs ~2.7 ns more than its carries (a feed-out LUT, its flop unpacked).
    # The segments end in a sum bit (sums), which took the feed-out off the Horner adds
    "ice40-up": Family("ice40-up", overhead=3.3, route=2.3, lut=0.8, carry=0.31, native=16,
                       dsp=1.0, register_dsp=True, exit=2.7, sums=True, mac=True,
                       level_ahead=True, complement=True),
    # iCE40 HX8K, no DSP blocks: multipliers in logic. overhead refitted from 2.0 (issue 21):
    # at 100 MHz the model put every Horner step at 9.7-9.8 ns, nextpnr at 9.7-10.5 (nets of
    # 2-5 ns to a partial product's rows): sigmoid' 95.4, SiLU 99.9, the sigmoid 102.7 MHz;
    # with 2.6 a step of 9.3-10.4 ns, with 3.0 of 8.3-10.1 (docs/hardening.md)
    "ice40-hx": Family("ice40-hx", overhead=3.0, route=1.2, lut=0.45, carry=0.126, native=None,
                       lookup_tables=True, narrow=True),
    # Gowin (sigmoid_hw.flow.gowin), from nextpnr-himbaechel's reports: overhead = clock-to-out + setup,
    # route and lut from the nets and LUT4s of the pipeline's critical path, carry fitted to
    # adder-limit (GW1NR-9 C6: 4.95 ns, 0.057 ns a bit inside the chain plus 1.6 ns to enter
    # and leave it; GW2A-18 C8: 2.70 ns, 0.035 ns a bit). The multiplier blocks have no
    # timing in nextpnr's Gowin database (dsp-limit is untimed), so dsp = 0: the model
    # follows what nextpnr reports. Shared stall: at 100 MHz on the GW1NR-9 it met the
    # target (109.4 MHz, 991 LUTs) like the credit buffer (119.8 MHz, 1119 LUTs), at 200 on
    # the GW2A-18 213.8 against 219.2 MHz, with fewer LUTs and a shorter latency
    "gowin-gw1n": Family("gowin-gw1n", overhead=0.86, route=1.1, lut=0.55, carry=0.076,
                         native=18, dsp=0.0, credit=False),
    "gowin-gw2a": Family("gowin-gw2a", overhead=0.27, route=0.7, lut=0.4, carry=0.042,
                         native=18, dsp=0.0, credit=False),
}


def pack(delays, period, overhead, forced=()):
    """Greedy packing: the indices after which a register goes.

    ``delays[i]`` is operation i's delay; a step holds consecutive operations
    whose delays plus ``overhead`` fit ``period`` (at least one each). The
    last operation always ends a step; ``forced`` indices always end one.
    """
    cuts = []
    total = overhead
    for index, delay in enumerate(delays):
        if index > 0 and (index - 1 in forced or total + delay > period):
            cuts.append(index - 1)
            total = overhead
        total += delay
    cuts.append(len(delays) - 1)
    return tuple(cuts)


def segments(low, width, max_carry):
    """Bit ranges of a ``width``-bit add cut at ``low`` and every ``max_carry`` bits."""
    bounds = []
    for lo, hi in ((0, low), (low, width)):
        start = lo
        while start < hi:
            stop = min(hi, start + max_carry)
            bounds.append((start, stop))
            start = stop
    return tuple(bounds)


def chunks(width, size):
    """Bit ranges of a signed ``width``-bit operand cut so each part is at most ``size`` bits
    as a signed number (low parts unsigned, so ``size - 1`` bits each)."""
    if width <= size:
        return ((0, width),)
    out = []
    start = 0
    while width - start > size:
        out.append((start, start + size - 1))
        start += size - 1
    out.append((start, width))
    return tuple(out)


@dataclass(frozen=True)
class HornerSchedule:
    """The split of one multiply-add stage.

    Members
    -------
    acc_chunks, d_chunks : tuple of (lo, hi)
        Bit ranges of acc_(k+1) and d whose products are the partial products.
    segments : tuple of (lo, hi)
        Carry segments of every add (modulo ``2^W``).
    ops : tuple of str
        The operations in order: ``"mul"``, ``"add"`` per segment per tree
        level, ``"round"`` per segment of the final add.
    cuts : tuple of int
        Indices of ``ops`` after which a register goes (the last always).
    sums : bool
        Between carry segments the register holds the complement of the
        segment's next sum bit, not its carry out (``Family.sums``).
    narrow : bool
        Terms narrower than the add keep their width (``Family.narrow``).
    hard_dsp : bool
        The partial products in DSP blocks with their own input, pipeline and
        output registers (``sigmoid_hw.hw.dsp``): the multiply takes three registers.
    mac : bool
        The multiply-add in SB_MAC16 blocks, one per acc chunk, the addend's
        slices through their C/D inputs (``sigmoid_hw.hw.horner_mac``): four
        registers inside the blocks, then one in the fabric; with several
        chunks ``ops`` then adds their outputs (``"round"`` per segment; the
        segments count from bit ``min(s_k, o_1)``, ``o_1`` the second chunk's).
    """
    acc_chunks: tuple
    d_chunks: tuple
    segments: tuple
    ops: tuple
    cuts: tuple
    hard_dsp: bool = False
    sums: bool = False
    narrow: bool = False
    mac: bool = False

    @property
    def registers(self):
        return len(self.cuts) + (2 if self.hard_dsp else 0) + (4 if self.mac else 0)


@dataclass(frozen=True)
class Schedule:
    """Where the registers go for one family and target; ``None`` target = the plain pipeline.

    Members
    -------
    family : str or None
    target_mhz : float or None
    fold, reduce_compare, reduce_offset, output : int
        Registers of the sign fold (1 or 2; or, with ``fold_carry``, 1 per
        carry segment, 1 for ``x ^ s`` and 1 for a clamp), of the range
        reducer's comparisons (1, or 2: halves or parts first) and offset step
        (1: select and subtract together, 2, or 3: the one-hot code registered
        first) and of the output stage (1 or 2;
        with ``output_carry``, 1 + 1 per carry segment).
    compare_part : int or None
        With ``reduce_compare == 2``: the bits of each part of a comparison
        (``None``: two halves).
    reduce_fix : int
        Steps of the correction's match (``RangeReducer(fix_steps=...)``).
    fold_carry, output_carry : tuple of (lo, hi)
        Empty, or where |x| = (x ^ s) + s and the output's ``2^F - r = ~r + 1``
        do not fit one step with the logic around them: the segments of the
        carry chain left alone in its registers (``sigmoid_hw.hw.carry``).
    horner : tuple of HornerSchedule
        For k = K-1 .. 0, or empty for the plain structure.
    estimate_ns : float or None
        The model's longest step.
    """
    family: object
    target_mhz: object
    fold: int = 1
    reduce_compare: int = 1
    reduce_offset: int = 1
    output: int = 1
    horner: tuple = ()
    estimate_ns: object = None
    fold_carry: tuple = ()
    output_carry: tuple = ()
    compare_part: object = None
    reduce_fix: int = 1

    @property
    def free_running(self):
        """The credit handshake (no clock enables, ``sigmoid_hw.hw.chain.CreditBuffer``): at a target on
        a family where it measured faster than the shared stall (``Family.credit``), and
        wherever the multiplies are hardened: there the stall's fan-out is the longest path
        (ECP5 at 250 MHz, seed 1: shared stall 179.9 MHz, its net from the output valid to
        the first Horner register; credit handshake 205.1 MHz)."""
        return self.target_mhz is not None and (
            FAMILIES[self.family].credit or any(h.hard_dsp or h.mac for h in self.horner))

    @classmethod
    def none(cls):
        return cls(None, None)


MIN_CARRY = 8


def _two_steps(fam, period, first, second):
    return 1 if fam.overhead + first + second <= period else 2


def schedule(plan, family, target_mhz, input_logic=0):
    """The ``Schedule`` of ``plan`` for ``family`` (a key of ``FAMILIES``) at ``target_mhz``.

    ``input_logic``: LUT levels in front of the first register (``ActivationUnit``'s
    choice of x or 2x), counted in the sign fold's first step.

    Raises
    ------
    TypeError, ValueError
        For a target that is not a positive number, or an unknown family.
    """
    # the family is checked even without a target: family="xilinx" was accepted silently
    if family is not None and family not in FAMILIES:
        raise ValueError("family must be one of {}, not {!r}".format(sorted(FAMILIES), family))
    if target_mhz is None:
        return Schedule.none()
    if not isinstance(target_mhz, numbers.Real) or isinstance(target_mhz, bool):
        raise TypeError("target_mhz must be a positive number of MHz or None, not {!r}"
                        .format(target_mhz))
    if not math.isfinite(target_mhz) or target_mhz <= 0:
        raise ValueError("target_mhz must be a positive number of MHz or None, not {!r}"
                         .format(target_mhz))
    if family not in FAMILIES:
        raise ValueError("family must be one of {}, not {!r}".format(sorted(FAMILIES), family))
    fam = FAMILIES[family]
    period = 1000.0 / target_mhz
    red, horner = plan.reduction, plan.horner
    # the longest carry chain a step can hold beside one LUT level; below MIN_CARRY
    # bits the registers would cost more than the chain they cut (the target is out of reach)
    max_carry = max(MIN_CARRY, int((period - fam.overhead - fam.route - fam.lut - fam.exit)
                                   / fam.carry))
    worst = []

    # |x| (a carry chain) then, with a clamp, a compare (a second chain) and its mux: the
    # two chains in series measured 8.6 ns on ECP5 (tanh's core at 150 MHz), far more than
    # their carries, so the clamp counts two LUT levels more than a plain add
    fold_abs = fam.add(red.a_width + 1) + fam.logic(1 + input_logic)
    fold = _two_steps(fam, period, fold_abs,
                      fam.add(red.a_width) + fam.logic(2) if red.a_clamp is not None
                      else fam.logic())
    fold_carry = ()
    if fam.overhead + fold_abs > period:
        # |x| does not fit a step: x ^ s, then + s alone, cut where it does not fit either
        fold_carry = segments(0, plan.params.input_format.width - 1, max_carry)
        fold = 1 + len(fold_carry) + (red.a_clamp is not None)
    compare = 1 if fam.overhead + fam.add(red.a_width) + fam.logic() <= period else 2
    compare_part = None
    if compare == 2 and fam.overhead + fam.add(red.a_width - red.a_width // 2) > period:
        # the halves' chains do not fit either: parts of 4 bits, each a LUT
        compare_part = 4
    offset = _two_steps(fam, period, fam.logic(2), fam.add(red.d_width))
    if offset == 2 and fam.overhead + fam.logic(1 + math.ceil(math.log(red.n_max + 1, 4))) > period:
        # the one-hot code (one LUT) and the ORs of n and C_n (a tree of LUT4s) do not fit
        # one step: the one-hot code registered first
        offset = 3
    fix = 1
    if fam.match_split and red.corrections:
        # a == a_k (a tree of LUT4s), the ORs of the matches, the sign
        levels = math.ceil(math.log(red.a_width, 4)) + math.ceil(math.log(len(red.corrections), 4))
        fix = 2 if fam.overhead + fam.logic(levels + 1) > period else 1
    F = plan.params.output_bits
    clamp, unfold = fam.add(horner.acc_width[0]) + fam.logic(), fam.add(F + 1) + fam.logic()
    output = _two_steps(fam, period, clamp, unfold)
    output_carry = ()
    if fam.overhead + max(clamp, unfold) > period:
        # LUTs only (the saturation and ~r), then + c alone in its segments
        output_carry = segments(0, F, max_carry)
        output = 1 + len(output_carry)
    stages = []
    for k in range(horner.order - 1, -1, -1):
        a_bits, d_bits = horner.acc_width[k + 1], red.d_width
        width = horner.shifts[k] + horner.acc_width[k]
        if fam.native is not None:
            acc_chunks, d_chunks = chunks(a_bits, fam.native), chunks(d_bits, fam.native)
        else:
            # the widest digit of d whose partial product fits a step
            digit = 1
            while digit < d_bits and fam.overhead + fam.multiply(a_bits, digit + 2) <= period:
                digit += 1
            acc_chunks, d_chunks = ((0, a_bits),), chunks(d_bits, digit + 1)
            lo, hi = d_chunks[-1]
            if digit <= 2 < hi - lo:   # digits as copies of acc, but a 3-bit top (3 LUT levels
                # in Yosys's multiplier: HX8K tanh at 100 MHz, 10.04 ns): a digit and a sign bit
                d_chunks = d_chunks[:-1] + ((lo, hi - 1), (hi - 1, hi))
        segs = segments(horner.shifts[k], width, max_carry)
        ops, delays = ["mul"], [max(fam.multiply(hi - lo, dh - dl)
                                    for lo, hi in acc_chunks for dl, dh in d_chunks)]
        hard = fam.hard_dsp and fam.overhead + delays[0] > period
        # SB_MAC16s, the addend through C/D: d in one port, the top chunk's sum within 32 bits
        mac = (fam.mac and len(d_chunks) == 1 and width - acc_chunks[-1][0] <= 32
               and fam.overhead + delays[0] + fam.add(width) > period)
        if hard or mac:
            delays[0] = fam.route   # the DSP's output register, then its net
        if mac and len(acc_chunks) > 1:
            # the blocks' sums added above bit min(s_k, o_1) only (sigmoid_hw.hw.horner_mac)
            base = min(horner.shifts[k], acc_chunks[1][0])
            segs = segments(horner.shifts[k] - base, width - base, max_carry)
        terms = len(acc_chunks) * len(d_chunks) + (not mac)
        while terms > 2:
            ops += ["add"] * len(segs)
            delays += [fam.add(hi - lo) for lo, hi in segs]
            terms = terms - terms // 2
        if terms > 1:
            ops += ["round"] * len(segs)
            delays += [fam.add(hi - lo) for lo, hi in segs]
        cuts = pack(delays, period, fam.overhead,
                    forced=(0,) if fam.register_dsp or hard or mac else ())
        worst.append(_longest(delays, cuts, fam.overhead))
        stages.append(HornerSchedule(acc_chunks, d_chunks, segs, tuple(ops), cuts, hard,
                                     fam.sums, fam.narrow, mac=mac))
    return Schedule(family, float(target_mhz), fold, compare, offset, output, tuple(stages),
                    round(max(worst), 3), fold_carry, output_carry, compare_part, fix)


def _longest(delays, cuts, overhead):
    longest, start = 0.0, 0
    for cut in cuts:
        longest = max(longest, overhead + sum(delays[start:cut + 1]))
        start = cut + 1
    return longest

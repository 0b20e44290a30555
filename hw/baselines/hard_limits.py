"""The device's limits with the DSP block's own registers: a hardened multiply, a hardened Horner step.

``sigmoid_hw.hw.baselines.limits`` measures a multiply whose registers Yosys places
(on the ECP5 all of them in the fabric); these measure what the block can do
when every register it has is used, by direct instance (``sigmoid_hw.hw.dsp``):

- ``HardMultiplyLimit(family)`` (compare row ``dsp-hard-limit``): ECP5, one
  MULT18X18D, signed 18 x 18, with its input, pipeline and output registers
  (latency 3); iCE40 UltraPlus, one SB_MAC16, signed 16 x 16, with its A/B,
  partial-product, product and output registers (latency 4). The HX8K has
  no DSP block: ``ValueError``.
- ``HornerStepLimit(family)`` (compare row ``horner-step-limit``): one
  Horner step ``s = a * b + c``, the multiply hardened and the add
  registered: ECP5, the MULT18X18D above, then a 36-bit add in the fabric
  into a register (``c`` delayed to meet the product, latency 4); iCE40
  UltraPlus, the whole multiply-add inside one SB_MAC16 (the 32-bit sum
  through its C/D input registers, its adders and its output registers,
  latency 4); HX8K, a 16 x 16 multiply in logic between registers, then a
  registered 32-bit add (latency 3).

Like ``sigmoid_hw.hw.baselines.limits`` these are measuring circuits: the registers run
free, ``i.ready`` is always high, ``o.valid`` is ``i.valid`` ``latency``
clocks later, and a word the consumer does not take is lost.
``instance=False`` builds the same registers and arithmetic without the
primitives, for Amaranth's simulator.
"""

from amaranth import *
from amaranth.lib import wiring, stream, data
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.dsp import MULT18X18D_WIDTH, SB_MAC16_WIDTH, mult18x18d, sb_mac16

__all__ = ["HardMultiplyLimit", "HornerStepLimit", "LIMIT_FAMILIES"]

LIMIT_FAMILIES = ("ecp5", "ice40-up", "ice40-hx")
_WIDTH = {"ecp5": MULT18X18D_WIDTH, "ice40-up": SB_MAC16_WIDTH, "ice40-hx": 16}


def _check_family(family, allowed=LIMIT_FAMILIES):
    if not isinstance(family, str):
        raise TypeError("family must be a string, not {!r}".format(family))
    if family not in LIMIT_FAMILIES:
        raise ValueError("family must be one of {}, not {!r}".format(list(LIMIT_FAMILIES),
                                                                     family))
    if family not in allowed:
        raise ValueError("family {!r} has no DSP block".format(family))
    return family


def _check_instance(instance):
    if not isinstance(instance, bool):
        raise TypeError("instance must be a bool, not {!r}".format(instance))
    return instance


class _Limit(wiring.Component):
    def __init__(self, family, instance, fields):
        self._family = family
        self._instance = _check_instance(instance)
        self._width = _WIDTH[family]
        super().__init__({
            "i": In(stream.Signature(data.StructLayout(fields))),
            "o": Out(stream.Signature(signed(2 * self._width))),
        })

    @property
    def family(self):
        return self._family

    @property
    def width(self):
        """Bits of each multiplier operand."""
        return self._width

    def _valid(self, m):
        valid = Signal(self.latency)
        m.d.sync += valid.eq(Cat(self.i.valid, valid[:-1]))
        m.d.comb += [self.i.ready.eq(1), self.o.valid.eq(valid[-1])]


def _delay(m, value, cycles, name):
    for k in range(cycles):
        reg = Signal(Value.cast(value).shape(), name="{}_d{}".format(name, k + 1),
                     reset_less=True)
        m.d.sync += reg.eq(value)
        value = reg
    return value


class HardMultiplyLimit(_Limit):
    """``p = a * b`` in one DSP block with all its registers (see the module docstring).

    Parameters
    ----------
    family : ``"ecp5"`` or ``"ice40-up"``
    instance : bool
        The primitive (``True``, for synthesis) or its twin (simulation).
    """

    def __new__(cls, family, *, instance=True):
        _check_family(family, ("ecp5", "ice40-up"))   # a limit that cannot be built is never made
        _check_instance(instance)
        return super().__new__(cls, src_loc_at=1)

    def __init__(self, family, *, instance=True):
        family = _check_family(family, ("ecp5", "ice40-up"))
        width = _WIDTH[family]
        super().__init__(family, instance, {"a": signed(width), "b": signed(width)})

    @property
    def latency(self):
        return 3 if self._family == "ecp5" else 4

    def elaborate(self, platform):
        m = Module()
        a, b = self.i.payload.a, self.i.payload.b
        if self._family == "ecp5":
            p = mult18x18d(m, a, b, instance=self._instance)
        else:
            p = sb_mac16(m, a, b, instance=self._instance).as_signed()
        m.d.comb += self.o.payload.eq(p)
        self._valid(m)
        return m


class HornerStepLimit(_Limit):
    """``s = a * b + c`` (modulo ``2^(2 width)``): a hardened multiply, then a registered add.

    Parameters
    ----------
    family : ``"ecp5"``, ``"ice40-up"`` or ``"ice40-hx"``
    instance : bool
        The primitive (``True``, for synthesis) or its twin (simulation);
        no effect on the HX8K.
    """

    def __new__(cls, family, *, instance=True):
        _check_family(family)
        _check_instance(instance)
        return super().__new__(cls, src_loc_at=1)

    def __init__(self, family, *, instance=True):
        family = _check_family(family)
        width = _WIDTH[family]
        super().__init__(family, instance, {"a": signed(width), "b": signed(width),
                                            "c": signed(2 * width)})

    @property
    def latency(self):
        return 3 if self._family == "ice40-hx" else 4

    def elaborate(self, platform):
        m = Module()
        a, b, c = self.i.payload.a, self.i.payload.b, self.i.payload.c
        total = 2 * self._width
        s = Signal(signed(total), reset_less=True)
        if self._family == "ecp5":
            p = mult18x18d(m, a, b, instance=self._instance)
            m.d.sync += s.eq(p + _delay(m, c, 3, "c"))
            m.d.comb += self.o.payload.eq(s)
        elif self._family == "ice40-up":
            o = sb_mac16(m, a, b, _delay(m, c, 2, "c").as_unsigned(), instance=self._instance)
            m.d.comb += self.o.payload.eq(o.as_signed())
        else:
            ra = _delay(m, a, 1, "a")
            rb = _delay(m, b, 1, "b")
            p = _delay(m, ra * rb, 1, "p")
            m.d.sync += s.eq(p + _delay(m, c, 2, "c"))
            m.d.comb += self.o.payload.eq(s)
        self._valid(m)
        return m

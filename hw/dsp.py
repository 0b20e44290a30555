"""The DSP blocks by direct instance, with their own registers, and a twin that simulates them.

Yosys's ``synth_ecp5`` never enables the registers of a MULT18X18D (the
block is timed by nextpnr from its input pins to its output pins, 7 ns at
speed 6), and ``synth_ice40 -dsp`` packs only some of an SB_MAC16's. These
functions put a block in a module with the registers the caller names
inside it:

- ``mult18x18d(m, a, b, ...)``: ECP5 MULT18X18D, a signed 18 x 18 -> 36
  product, with its input (A and B), pipeline and output registers, each
  optional (``REG_INPUTA_CLK`` ... ``"CLK0"`` or ``"NONE"``).
- ``sb_mac16(m, a, b, c=None, ...)``: iCE40 UltraPlus SB_MAC16 in 16 x 16
  mode, ``o = a * b + c`` modulo 2^32 (the product H plus ``c`` through the
  block's two 16-bit adders, the bottom one's carry into the top one), with
  the A/B (and C/D when ``c`` is given) input registers, the partial-product
  and product pipeline registers and the accumulator (output) registers.

With ``instance=False`` the same registers and arithmetic are written in
plain Amaranth: what Amaranth's simulator runs (it cannot run an
``Instance``). The instance itself is checked against the cell models
(``flow/cells/ecp5_mult18x18d.v``, Yosys's ``ice40/cells_sim.v``) by
simulating its synthesized netlist (``tests/hw/test_hard_limits.py``).
Every register is reset-less and always enabled: these blocks are for
free-running datapaths.
"""

from amaranth import *

__all__ = ["mult18x18d", "sb_mac16", "MULT18X18D_WIDTH", "SB_MAC16_WIDTH", "PRIMITIVES",
           "use_primitives"]


class _Primitives:
    """The ``platform`` that synthesis elaborates with (``sigmoid_hw.flow.ooc``, ``sigmoid_hw.flow.netlist``): a
    component that can use vendor primitives does so only when given it. Simulation and
    export elaborate with no platform, and get the plain Amaranth twins."""

    dsp_primitives = True

    def __repr__(self):
        return "PRIMITIVES"


PRIMITIVES = _Primitives()


def use_primitives(platform):
    """Whether ``platform`` asks for vendor primitives (``PRIMITIVES``)."""
    return bool(getattr(platform, "dsp_primitives", False))

MULT18X18D_WIDTH = 18
SB_MAC16_WIDTH = 16


def _operand(value, width, name):
    value = Value.cast(value)
    if len(value) > width:
        raise ValueError("{} must be at most {} bits wide, not {}".format(name, width, len(value)))
    return value.as_signed() if value.shape().signed else value


def _flag(value, name):
    if not isinstance(value, bool):
        raise TypeError("{} must be a bool, not {!r}".format(name, value))
    return value


def _stage(m, value, registered, name, enable=None):
    if not registered:
        return value
    reg = Signal(Value.cast(value).shape(), name=name, reset_less=True)
    if enable is None:
        m.d.sync += reg.eq(value)
    else:
        with m.If(enable):
            m.d.sync += reg.eq(value)
    return reg


def mult18x18d(m, a, b, *, input=True, pipeline=True, output=True, instance=True, name="mult",
               enable=None):
    """``a * b`` (signed, at most 18 bits each) in one MULT18X18D; returns the signed(36) product.

    Parameters
    ----------
    m : Module
    a, b : Value
        Operands; an unsigned one must be at most 17 bits (the block reads its
        18 bits as two's complement).
    input, pipeline, output : bool
        Which of the block's registers to use (latency = how many are true).
    instance : bool
        ``True``: a MULT18X18D instance (synthesis); ``False``: its twin in
        plain Amaranth (simulation).
    enable : Value or None
        The registers' clock enable (``CE0``); always enabled by default.
    """
    for flag, label in ((input, "input"), (pipeline, "pipeline"), (output, "output"),
                        (instance, "instance")):
        _flag(flag, label)
    a = _operand(a, MULT18X18D_WIDTH, "a")
    b = _operand(b, MULT18X18D_WIDTH, "b")
    for value, label in ((a, "a"), (b, "b")):
        if not value.shape().signed and len(value) == MULT18X18D_WIDTH:
            raise ValueError("{} must be signed or at most 17 bits when unsigned".format(label))
    p = Signal(signed(2 * MULT18X18D_WIDTH), name=name + "_p")
    if not instance:
        ra = _stage(m, a, input, name + "_ra", enable)
        rb = _stage(m, b, input, name + "_rb", enable)
        pp = _stage(m, ra * rb, pipeline, name + "_pp", enable)
        m.d.comb += p.eq(_stage(m, pp, output, name + "_po", enable))
        return p
    a18 = Signal(signed(MULT18X18D_WIDTH), name=name + "_a")
    b18 = Signal(signed(MULT18X18D_WIDTH), name=name + "_b")
    m.d.comb += [a18.eq(a), b18.eq(b)]
    clk = lambda used: "CLK0" if used else "NONE"
    ports = {}
    # only the pins in use are connected: tying the unused clock, enable, reset and shift
    # pins to constants left nextpnr-ecp5 unable to route its ground net
    for k in range(MULT18X18D_WIDTH):
        ports["i_A{}".format(k)] = a18[k]
        ports["i_B{}".format(k)] = b18[k]
        ports["i_C{}".format(k)] = Const(0, 1)
    for k in range(2 * MULT18X18D_WIDTH):
        ports["o_P{}".format(k)] = p[k]
    ports.update(i_CLK0=ClockSignal(), i_CE0=Const(1, 1) if enable is None else enable,
                 i_RST0=Const(0, 1))
    m.submodules[name] = Instance(
        "MULT18X18D",
        p_REG_INPUTA_CLK=clk(input), p_REG_INPUTB_CLK=clk(input), p_REG_INPUTC_CLK="NONE",
        p_REG_PIPELINE_CLK=clk(pipeline), p_REG_OUTPUT_CLK=clk(output),
        p_CLK0_DIV="ENABLED", p_CLK1_DIV="ENABLED", p_CLK2_DIV="ENABLED", p_CLK3_DIV="ENABLED",
        p_GSR="DISABLED", p_RESETMODE="SYNC", p_SOURCEB_MODE="B_SHIFT",
        p_MULT_BYPASS="DISABLED", p_CAS_MATCH_REG="FALSE", p_HIGHSPEED_CLK="NONE",
        i_SIGNEDA=Const(1, 1), i_SIGNEDB=Const(1, 1), i_SOURCEA=Const(0, 1),
        i_SOURCEB=Const(0, 1), **ports)
    return p


def sb_mac16(m, a, b, c=None, *, instance=True, name="mac"):
    """``a * b + c`` modulo 2^32 in one SB_MAC16 with every register; returns unsigned(32).

    ``a``, ``b``: signed (or at most 15-bit unsigned) operands of at most 16
    bits, through the A/B input registers, the partial-product pipeline
    registers and the product register H; ``c`` (32 bits, or None for 0)
    through the C/D input registers, two cycles after ``a`` and ``b``
    (the caller delays it: the product needs those two cycles more); the
    sum through the output registers. Latency 4 from ``a``/``b``, 2 from
    ``c``.
    """
    _flag(instance, "instance")
    a = _operand(a, SB_MAC16_WIDTH, "a")
    b = _operand(b, SB_MAC16_WIDTH, "b")
    for value, label in ((a, "a"), (b, "b")):
        if not value.shape().signed and len(value) == SB_MAC16_WIDTH:
            raise ValueError("{} must be signed or at most 15 bits when unsigned".format(label))
    if c is not None:
        c = Value.cast(c)
        if len(c) > 32:
            raise ValueError("c must be at most 32 bits wide, not {}".format(len(c)))
    o = Signal(32, name=name + "_o")
    a16 = Signal(signed(SB_MAC16_WIDTH), name=name + "_a")
    b16 = Signal(signed(SB_MAC16_WIDTH), name=name + "_b")
    c32 = Signal(32, name=name + "_c")
    m.d.comb += [a16.eq(a), b16.eq(b), c32.eq(0 if c is None else c)]
    if not instance:
        ra = _stage(m, a16, True, name + "_ra")
        rb = _stage(m, b16, True, name + "_rb")
        rc = _stage(m, c32, c is not None, name + "_rc")
        pp = _stage(m, ra * rb, True, name + "_pp")      # F, G, J, K
        h = _stage(m, pp, True, name + "_h")             # H
        q = _stage(m, (h + rc)[:32], True, name + "_q")  # the accumulator registers
        m.d.comb += o.eq(q)
        return o
    bit = lambda v, w=1: Const(v, w)
    with_c = c is not None
    m.submodules[name] = Instance(
        "SB_MAC16",
        p_NEG_TRIGGER=bit(0), p_C_REG=bit(int(with_c)), p_A_REG=bit(1), p_B_REG=bit(1),
        p_D_REG=bit(int(with_c)), p_TOP_8x8_MULT_REG=bit(1), p_BOT_8x8_MULT_REG=bit(1),
        p_PIPELINE_16x16_MULT_REG1=bit(1), p_PIPELINE_16x16_MULT_REG2=bit(1),
        p_TOPOUTPUT_SELECT=bit(1, 2), p_TOPADDSUB_LOWERINPUT=bit(2, 2),
        p_TOPADDSUB_UPPERINPUT=bit(1), p_TOPADDSUB_CARRYSELECT=bit(2, 2),
        p_BOTOUTPUT_SELECT=bit(1, 2), p_BOTADDSUB_LOWERINPUT=bit(2, 2),
        p_BOTADDSUB_UPPERINPUT=bit(1), p_BOTADDSUB_CARRYSELECT=bit(0, 2),
        p_MODE_8x8=bit(0), p_A_SIGNED=bit(1), p_B_SIGNED=bit(1),
        i_CLK=ClockSignal(), i_CE=bit(1), i_A=a16, i_B=b16, i_C=c32[16:], i_D=c32[:16],
        i_AHOLD=bit(0), i_BHOLD=bit(0), i_CHOLD=bit(0), i_DHOLD=bit(0),
        i_IRSTTOP=bit(0), i_IRSTBOT=bit(0), i_ORSTTOP=bit(0), i_ORSTBOT=bit(0),
        i_OLOADTOP=bit(0), i_OLOADBOT=bit(0), i_ADDSUBTOP=bit(0), i_ADDSUBBOT=bit(0),
        i_OHOLDTOP=bit(0), i_OHOLDBOT=bit(0), i_CI=bit(0), i_ACCUMCI=bit(0),
        i_SIGNEXTIN=bit(0), o_O=o)
    return o

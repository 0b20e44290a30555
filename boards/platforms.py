"""The supported boards: amaranth-boards platforms plus what the host link needs of each.

``BOARDS`` maps a board name to a ``Board``: the platform class, the LEDs that
show the decision and the error flag, and how to program the bitstream (the
command is printed, never run). Platform classes are imported only when a
board is used.

Each platform class is subclassed for the build: its ``required_tools``
keeps only the build tools (Yosys, nextpnr, icepack/ecppack), since some list
their programmer (``openFPGALoader`` for the ULX3S), which building does not
need. The OrangeCrab r0.2 has no UART on its USB port (the FPGA drives USB
directly), so here it gets one on its Feather header, following the Feather
convention: pin ``0`` is the board's RX, pin ``1`` its TX; connect a 3.3 V
USB-serial adapter there. Its platform's ``dfu-suffix`` build step (a tool not
on PyPI) is left out of the build and printed with the programming commands
instead.
"""

import importlib

__all__ = ["Board", "BOARDS", "board", "platform_for"]


class Board:
    """One supported board.

    Parameters
    ----------
    name : str
    module, cls : str
        Where the amaranth-boards platform class lives.
    decision_led, error_led : tuple
        ``(resource, number)`` or ``(resource, number, subsignal)`` of the LED
        showing the decision of the last word, and the one showing that a loss
        was reported since reset.
    bitstream : str
        The file to program, as a template on ``{name}``.
    program : list of str
        Commands that program the board, as templates on ``{bitstream}``.
    device : str
        The matching ``sigmoid_hw.flow.implement.DEVICES`` key (or the part, if none).
    """

    def __init__(self, name, module, cls, *, decision_led, error_led, bitstream, program,
                 device, synth_opts=()):
        self.name = name
        self.module = module
        self.cls = cls
        self.decision_led = decision_led
        self.error_led = error_led
        self.bitstream = bitstream
        self.program = list(program)
        self.device = device
        self.synth_opts = list(synth_opts)

    @property
    def platform_class(self):
        """The platform class to build with (see ``_for_build``)."""
        if self.name not in _classes:
            _classes[self.name] = _for_build(self.name, getattr(
                importlib.import_module(self.module), self.cls))
        return _classes[self.name]

    def __repr__(self):
        return "Board({!r})".format(self.name)


BOARDS = {
    "icebreaker": Board(
        "icebreaker", "amaranth_boards.icebreaker", "ICEBreakerPlatform",
        decision_led=("led_g", 0), error_led=("led_r", 0),
        bitstream="{name}.bin", program=["iceprog {bitstream}"],
        device="up5k", synth_opts=["-dsp"]),
    "ice40-hx8k-b-evn": Board(
        "ice40-hx8k-b-evn", "amaranth_boards.ice40_hx8k_b_evn", "ICE40HX8KBEVNPlatform",
        decision_led=("led", 0), error_led=("led", 7),
        bitstream="{name}.bin", program=["iceprog -S {bitstream}"],
        device="hx8k"),
    "ulx3s-85f": Board(
        "ulx3s-85f", "amaranth_boards.ulx3s", "ULX3S_85F_Platform",
        decision_led=("led", 0), error_led=("led", 7),
        bitstream="{name}.bit", program=["openFPGALoader -b ulx3s -m {bitstream}"],
        device="ecp5-85f"),
    "orangecrab-r0.2-85f": Board(
        "orangecrab-r0.2-85f", "amaranth_boards.orangecrab_r0_2", "OrangeCrabR0_2_85FPlatform",
        decision_led=("rgb_led", 0, "g"), error_led=("rgb_led", 0, "r"),
        bitstream="{name}.bit",
        program=["dfu-suffix -v 1209 -p 5af0 -a {bitstream}", "dfu-util -a 0 -D {bitstream}"],
        device="LFE5U-85F-8MG285"),
    # Gowin, built with nextpnr-himbaechel (sigmoid_hw.boards.gowin); the 20K module on its Dock,
    # which has the LEDs (the USB-serial bridge of the module carries the UART either way)
    "tang-nano-9k": Board(
        "tang-nano-9k", "amaranth_boards.tang_nano_9k", "TangNano9kPlatform",
        decision_led=("led", 0), error_led=("led", 5),
        bitstream="{name}.fs", program=["openFPGALoader -b tangnano9k {bitstream}"],
        device="gw1nr-9", synth_opts=["-family", "gw1n"]),
    "tang-primer-20k": Board(
        "tang-primer-20k", "amaranth_boards.tang_primer_20k", "TangPrimer20kDockPlatform",
        decision_led=("led", 0), error_led=("led", 5),
        bitstream="{name}.fs", program=["openFPGALoader -b tangprimer20k {bitstream}"],
        device="gw2a-18", synth_opts=["-family", "gw2a"]),
}


def board(name):
    """The ``Board`` called ``name``."""
    if name not in BOARDS:
        raise ValueError("Board must be one of {}, not {!r}".format(sorted(BOARDS), name))
    return BOARDS[name]


def platform_for(name):
    """A new platform instance for board ``name``."""
    return board(name).platform_class()


_classes = {}

# Tools a build runs; a platform may also list its programmer, which is not
# needed (or installed) to build.
_BUILD_TOOLS = {"yosys", "nextpnr-ice40", "icepack", "nextpnr-ecp5", "ecppack",
                "nextpnr-himbaechel", "gowin_pack"}


def _for_build(name, base):
    """``base`` with only the build tools required, plus the OrangeCrab's UART."""
    from amaranth.build import Attrs
    from amaranth_boards.resources import UARTResource

    namespace = {
        "required_tools": property(
            lambda self: [t for t in super(cls, self).required_tools if t in _BUILD_TOOLS]),
    }
    if name == "orangecrab-r0.2-85f":
        from amaranth.vendor import LatticeECP5Platform
        namespace["resources"] = base.resources + [
            UARTResource(0, rx="0", tx="1", conn=("io", 0),
                         attrs=Attrs(IO_TYPE="LVCMOS33", PULLMODE="UP")),
        ]
        # Without the dfu-suffix step (printed with the programming commands).
        namespace["command_templates"] = property(
            lambda self: LatticeECP5Platform.command_templates.fget(self))
    from amaranth.vendor import GowinPlatform
    if issubclass(base, GowinPlatform):
        # nextpnr-himbaechel in place of the removed nextpnr-gowin (sigmoid_hw.boards.gowin)
        from sigmoid_hw.boards.gowin import COMMAND_TEMPLATES, REQUIRED_TOOLS
        namespace["required_tools"] = property(lambda self: list(REQUIRED_TOOLS))
        namespace["command_templates"] = property(lambda self: list(COMMAND_TEMPLATES))
    cls = type(base.__name__ + "ForBuild", (base,), namespace)
    return cls

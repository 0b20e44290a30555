"""The per-board top: the board's clock, its UART pins and LEDs around ``SigmoidLink``.

The ``sync`` domain is the platform's default clock (12 MHz on the iCE40
boards, 25 MHz on the ULX3S, 48 MHz on the OrangeCrab) with the platform's
power-on reset; the UART divisor follows from it. The sigmoid unit and the
comparator come from ``sigmoid_hw.hw.designs`` (a sigmoid pipeline, or one of the
function pipelines tanh, dsigmoid and silu, and the comparator for
``threshold``, which decides sigmoid(x) > t whatever the unit computes).
"""

from amaranth import *
from amaranth.lib import io

from sigmoid_hw.link.gateware import SigmoidLink
from sigmoid_hw.boards.platforms import board
from sigmoid_hw.hw.designs import DESIGNS, make_design

__all__ = ["BoardTop"]


class BoardTop(Elaboratable):
    """Everything that goes into a board's bitstream.

    Parameters
    ----------
    board_name : str
        A key of ``sigmoid_hw.boards.platforms.BOARDS`` (chooses the LEDs).
    baud : int
        UART bit rate; 115200 by default (8N1).
    design : str
        The unit: any design of kind ``"pipeline"``, ``"function"`` or ``"method"`` in
        ``sigmoid_hw.hw.designs`` (a method design takes ``function=`` among the options).
    threshold : number
        t of the decision sigmoid(x) > t; 1/2 by default.
    input_format, output_bits, order, **options
        Options of the sigmoid unit (defaults: SQ(4,12), 16, automatic); the other design
        options of ``sigmoid_hw.hw.designs`` (``rounding``, ``target_mhz``, ``family``) pass through.
    """

    def __init__(self, board_name, *, baud=115200, design="pipeline", threshold=0.5,
                 input_format=None, output_bits=None, order=None, **options):
        self._board = board(board_name)
        self._baud = baud
        units = [name for name, record in DESIGNS.items()
                 if record.kind in ("pipeline", "function", "method")]
        if design not in units:
            raise ValueError("design must be one of {}, not {!r}".format(units, design))
        given = dict(options, input_format=input_format, output_bits=output_bits, order=order)
        # options left unset are not passed: a function design takes no order
        self._sigmoid = make_design(design, **{k: v for k, v in given.items()
                                               if v is not None})
        fmt = self._sigmoid.input_format
        self._comparator = make_design("comparator", input_format=fmt, threshold=threshold)

    @property
    def sigmoid(self):
        return self._sigmoid

    @property
    def comparator(self):
        return self._comparator

    def elaborate(self, platform):
        m = Module()
        link = SigmoidLink(self._sigmoid, self._comparator,
                           clk_freq=platform.default_clk_frequency, baud=self._baud)
        m.submodules.link = link

        uart = platform.request("uart", 0, dir="-")
        m.submodules.uart_rx = rx = io.Buffer("i", uart.rx)
        m.submodules.uart_tx = tx = io.Buffer("o", uart.tx)
        m.d.comb += [link.rx.eq(rx.i), tx.o.eq(link.tx)]

        requested = {}

        def led(role, spec):
            key = spec[:2]
            if key not in requested:
                requested[key] = platform.request(*key, dir="-")
            port = getattr(requested[key], spec[2]) if len(spec) == 3 else requested[key]
            m.submodules["led_" + role] = buffer = io.Buffer("o", port)
            return buffer.o

        m.d.comb += [led("decision", self._board.decision_led).eq(link.decision),
                     led("error", self._board.error_led).eq(link.error)]
        return m

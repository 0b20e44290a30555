"""Out-of-context synthesis and place-and-route of any component, with a resource and timing report.

``implement(component, device)`` wraps the component in
``sigmoid_hw.flow.ooc.OutOfContextHarness`` (registers at every port, four pins),
synthesizes it with Yosys and places and routes it with nextpnr for one of
``DEVICES``, with a fixed seed, and reads the figures from nextpnr's JSON
report (``--report``) and from the synthesized netlist (JSON), never from
log text. The one exception is a design that does not fit: nextpnr stops
before writing its report, so the message of ``DoesNotFit`` is taken from its
log.

Figures:

- ``luts``: LUT4s. iCE40: ``SB_LUT4`` cells of the synthesized netlist (the
  report only counts logic cells, ``ICESTORM_LC``, given as
  ``logic_cells``). ECP5: ``TRELLIS_COMB`` of the report (LUT4s, including
  the two of each carry cell).
- ``ffs``: iCE40: ``SB_DFF*`` cells of the netlist; ECP5: ``TRELLIS_FF``.
  Both include the harness's ``boundary_ffs``.
- ``dsps``: ``ICESTORM_DSP`` (SB_MAC16) or ``MULT18X18D`` + ``ALU54B``.
- ``brams``: ``ICESTORM_RAM`` (4 kbit) or ``DP16KD`` (18 kbit).
- ``fmax_mhz``: nextpnr's achieved frequency of the one clock; with the
  harness, register to register, so the core's. One caveat, flagged in the
  result as ``fmax_note``: nextpnr's iCE40 timing model treats every port of
  an ``SB_MAC16`` as a register with a 0.1 ns setup or clock-to-out time
  (``ice40/arch.cc``, ``getCellTimingClass``), whether or not the DSP's
  registers are used, so paths through the multipliers are cut and the
  multiply delay is not counted (the paths to and from an unregistered DSP
  are reported against a pseudo-clock, the grounded ``CLK`` pin, which is
  not counted here). An iCE40 figure with ``dsps > 0`` is therefore an upper
  bound; the HX8K figure (multipliers in logic) is fully timed.
  nextpnr-ecp5 does time ``MULT18X18D``.

- ``fmax_icetime_mhz`` (iCE40 only): icestorm's ``icetime`` on nextpnr's
  routed ``.asc`` (``-i``: interior paths, the harness registers every pin),
  a second opinion from a different timing model; ``"missing"`` when
  ``icetime`` is not on ``PATH`` (Debian's ``fpga-icestorm``), never a guess.
  Like nextpnr it does not time the inside of an SB_MAC16.

nextpnr is run with ``--timing-allow-fail`` against a fixed target per
device (``target_mhz``) so the achieved Fmax is reported whether or not it
meets the target.
"""

import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from sigmoid_hw.flow.dsp_registers import dsp_registers
from sigmoid_hw.flow.hard_cells import synth_script
from sigmoid_hw.flow.ooc import harness_rtlil
from sigmoid_hw.flow.toolchain import ToolchainError, run_tool

from sigmoid_hw.flow.pnr_report import DoesNotFit, critical_path as _critical_path, \
    fit_error_from_log, netlist_cells, run_nextpnr

__all__ = ["Device", "DEVICES", "DoesNotFit", "implement", "parse_report", "netlist_cells",
           "fit_error_from_log", "icetime_fmax", "parse_icetime"]


class Device:
    """One implementation target.

    Parameters
    ----------
    name : str
        The name on the command line.
    part : str
        The part number, for the report.
    family : ``"ice40"`` or ``"ecp5"``
    synth : str
        The Yosys synthesis command.
    nextpnr_args : list of str
        Device and package options of nextpnr.
    target_mhz : float
        The frequency nextpnr's timing-driven placement aims at.
    timing_family : str
        The ``sigmoid_hw.hw.timing`` delay model for the device (``SigmoidPipeline(family=...)``).
    icetime_args : list of str
        Device and package options of ``icetime`` (iCE40 only).
    """

    def __init__(self, name, part, family, synth, nextpnr_args, target_mhz, timing_family,
                 icetime_args=()):
        self.name = name
        self.part = part
        self.family = family
        self.synth = synth
        self.nextpnr_args = list(nextpnr_args)
        self.target_mhz = target_mhz
        self.timing_family = timing_family
        self.icetime_args = list(icetime_args)

    @property
    def nextpnr(self):
        return "nextpnr-" + self.family

    def __repr__(self):
        return "Device({!r}, {!r})".format(self.name, self.part)


DEVICES = {
    "up5k": Device("up5k", "iCE40UP5K-SG48", "ice40", "synth_ice40 -dsp",
                   ["--up5k", "--package", "sg48"], 48, "ice40-up", ["-d", "up5k", "-P", "sg48"]),
    # No DSP blocks on the HX parts: multipliers become logic. router2: with every
    # register enabled by one stall net, nextpnr promotes it to a global buffer and the
    # default router1 can circle on one overused wire for an hour (seen on the pipeline).
    "hx8k": Device("hx8k", "iCE40HX8K-CT256", "ice40", "synth_ice40",
                   ["--hx8k", "--package", "ct256", "--router", "router2"], 100, "ice40-hx",
                   ["-d", "hx8k", "-P", "ct256"]),
    "ecp5-85f": Device("ecp5-85f", "LFE5U-85F-6BG381", "ecp5", "synth_ecp5",
                       ["--85k", "--speed", "6", "--package", "CABGA381"], 150, "ecp5"),
}


def _gowin_devices():
    """The Gowin parts (``sigmoid_hw.flow.gowin``: part, pins, report), placed by nextpnr-himbaechel."""
    from sigmoid_hw.flow.gowin import GOWIN_PARTS
    targets = {"gw1nr-9": 100, "gw2a-18": 150}
    return {name: Device(name, part.part, "gowin", part.synth, part.nextpnr_args,
                         targets[name], "gowin-" + part.yosys_family)
            for name, part in GOWIN_PARTS.items()}


DEVICES.update(_gowin_devices())


# Seconds after which a tool is stopped (a router that cannot converge).
TOOL_TIMEOUT = 3600


def parse_report(report, family, netlist=None):
    """Turn nextpnr's JSON report (a dict) into the figures of ``implement``.

    Parameters
    ----------
    report : dict
        nextpnr's ``--report`` output.
    family : ``"ice40"`` or ``"ecp5"``
    netlist : dict or None
        Cell counts of the synthesized netlist (``netlist_cells``); needed for
        the iCE40 LUT and FF split.
    """
    util = report["utilization"]

    def used(*names):
        return sum(int(util[n]["used"]) for n in names if n in util)

    if family == "ice40":
        if netlist is None:
            raise ValueError("iCE40 LUT/FF counts need the netlist's cell counts")
        figures = {
            "luts": netlist.get("SB_LUT4", 0),
            "ffs": sum(n for t, n in netlist.items() if t.startswith("SB_DFF")),
            "logic_cells": used("ICESTORM_LC"),
            "dsps": used("ICESTORM_DSP"),
            "brams": used("ICESTORM_RAM"),
        }
    elif family == "ecp5":
        figures = {
            "luts": used("TRELLIS_COMB"),
            "ffs": used("TRELLIS_FF"),
            "dsps": used("MULT18X18D", "ALU54B"),
            "brams": used("DP16KD"),
        }
    else:
        raise ValueError("Family must be 'ice40' or 'ecp5', not {!r}".format(family))
    # nextpnr also lists pseudo-clocks such as "$PACKER_GND_NET_$glb_clk" (the
    # grounded CLK pin of an unregistered iCE40 DSP): only real clocks count.
    clocks = {name: v for name, v in report.get("fmax", {}).items()
              if not name.startswith("$PACKER_")}
    clock = min(clocks, key=lambda c: clocks[c]["achieved"]) if clocks else None
    figures["fmax_mhz"] = round(float(clocks[clock]["achieved"]), 2) if clock else None
    if family == "ice40" and figures["dsps"]:
        figures["fmax_note"] = ("upper bound: nextpnr does not time paths through iCE40 "
                                "SB_MAC16 DSPs")
    figures["cells"] = {name: dict(v) for name, v in sorted(util.items()) if v["used"]}
    figures["critical_path"] = _critical_path(report, clock)
    return figures


_ICETIME_TOTAL = re.compile(r"Total path delay:\s*([0-9.]+)\s*ns\s*\(([0-9.]+)\s*MHz\)")


def parse_icetime(text):
    """The Fmax (MHz) of an ``icetime -t`` report, or None if it gives none."""
    match = _ICETIME_TOTAL.search(text)
    return None if match is None else round(float(match.group(2)), 2)


def icetime_fmax(asc_path, icetime_args, *, timeout=TOOL_TIMEOUT):
    """icetime's Fmax of a routed ``.asc``, or ``"missing"`` when icetime is not installed.

    Raises
    ------
    ToolchainError
        If icetime fails or prints no path delay.
    """
    command = shutil.which("icetime")
    if command is None:
        return "missing"
    folder = os.path.dirname(os.path.abspath(asc_path))
    report = os.path.join(folder, "icetime.rpt")
    proc = subprocess.run([command, *icetime_args, "-i", "-t", "-r", report, asc_path],
                          cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout)
    text = ""
    if os.path.exists(report):
        with open(report) as f:
            text = f.read()
    fmax = parse_icetime(text)
    if proc.returncode != 0 or fmax is None:
        raise ToolchainError("icetime exited with code {} and no path delay:\n{}".format(
            proc.returncode, "\n".join(proc.stdout.strip().splitlines()[-10:])))
    return fmax


def implement(component, device, *, seed=1, build_dir=None, toolchain="yowasp",
              target_mhz=None):
    """Synthesize, place and route ``component`` out of context on ``device``.

    Parameters
    ----------
    component : wiring.Component
    device : str
        A key of ``DEVICES``.
    seed : int
        nextpnr's placement seed (fixed, so results repeat).
    build_dir : str or None
        Where to keep the files (``top.il``, ``synth.ys``, ``netlist.json``,
        ``report.json``, logs); a temporary folder by default.
    toolchain : ``"yowasp"`` or ``"system"``
    target_mhz : float or None
        The clock nextpnr's timing-driven placement aims at (``--freq``): the
        frequency the design was pipelined for, if any; the device's fixed
        constraint (``Device.target_mhz``) by default.

    Returns
    -------
    dict
        ``device``, ``part``, ``luts``, ``ffs``, ``dsps``, ``brams``,
        ``fmax_mhz``, ``cells`` (nextpnr's utilisation, used resources only),
        ``netlist_cells``, ``dsp_registers`` (each DSP block's registers
        inside it or not, ``sigmoid_hw.flow.dsp_registers``), ``critical_path`` (or
        None), ``boundary_ffs``,
        ``seed``, ``target_mhz``, ``toolchain``, ``seconds``; iCE40 adds
        ``logic_cells``, ``fmax_icetime_mhz`` (a number or ``"missing"``)
        and ``fmax_note`` when DSPs are used (see above).

    Raises
    ------
    DoesNotFit
        If a resource runs out.
    ToolchainError
        If a tool is missing or fails for another reason.
    """
    if device not in DEVICES:
        raise ValueError("Device must be one of {}, not {!r}".format(sorted(DEVICES), device))
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise TypeError("Seed must be a non-negative integer, not {!r}".format(seed))
    dev = DEVICES[device]
    if target_mhz is not None:
        # the user's target, not the device's fixed constraint (the report said "target
        # 48 MHz" for a design pipelined for 100)
        dev = copy.copy(dev)
        dev.target_mhz = target_mhz
    start = time.monotonic()
    if build_dir is None:
        with tempfile.TemporaryDirectory(prefix="sigmoid-hw-") as tmp:
            result = _implement(component, dev, seed, tmp, toolchain)
    else:
        os.makedirs(build_dir, exist_ok=True)
        result = _implement(component, dev, seed, build_dir, toolchain)
    result["seconds"] = round(time.monotonic() - start, 1)
    return result


def _implement(component, dev, seed, folder, toolchain):
    text, harness = harness_rtlil(component, name="top")
    with open(os.path.join(folder, "top.il"), "w") as f:
        f.write(text)
    if dev.family == "gowin":
        from sigmoid_hw.flow.gowin import implement_gowin
        result = {"device": dev.name, "part": dev.part}
        result.update(implement_gowin(harness, dev, seed, folder, toolchain, TOOL_TIMEOUT))
        result.update(boundary_ffs=harness.boundary_ffs, seed=seed, target_mhz=dev.target_mhz,
                      toolchain=toolchain)
        return result
    with open(os.path.join(folder, "synth.ys"), "w") as f:
        f.write(synth_script(dev.synth, "top", folder, ["write_json netlist.json"]))
    run_tool("yosys", ["-q", "-l", "yosys.log", "synth.ys"], cwd=folder, toolchain=toolchain,
             timeout=TOOL_TIMEOUT)
    with open(os.path.join(folder, "netlist.json")) as f:
        netlist = json.load(f)
    cells = netlist_cells(netlist)
    asc = ["--asc", "top.asc"] if dev.family == "ice40" else []
    report = run_nextpnr(dev.nextpnr, [*dev.nextpnr_args, *asc, "--json", "netlist.json",
                                       "--seed", str(seed), "--freq", str(dev.target_mhz)],
                         folder, dev.name, toolchain=toolchain, timeout=TOOL_TIMEOUT)
    result = {"device": dev.name, "part": dev.part}
    result.update(parse_report(report, dev.family, cells))
    if dev.family == "ice40":
        result["fmax_icetime_mhz"] = icetime_fmax(os.path.join(folder, "top.asc"),
                                                  dev.icetime_args)
    result.update({
        "netlist_cells": cells,
        "dsp_registers": dsp_registers(netlist),
        "boundary_ffs": harness.boundary_ffs,
        "seed": seed,
        "target_mhz": dev.target_mhz,
        "toolchain": toolchain,
    })
    return result

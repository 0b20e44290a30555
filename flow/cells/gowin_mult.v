// Gowin MULT9X9, MULT18X18 and MULT36X36, as Yosys's synth_gowin instantiates them
// (gowin/dsp_map.v): no register enabled, ASEL = BSEL = 0. Yosys ships these cells only
// as black boxes (gowin/cells_xtra_gw1n.v); this is sigmoid-hw's model, written from the
// primitives' description (Gowin UG287, "Multiplier"): DOUT is the exact product of A and
// B, each read as two's complement when its xSIGN input is high and as unsigned otherwise;
// ASEL/BSEL choose the shift input SIA/SIB instead of A/B; SOA/SOB pass the chosen operand
// on. A register parameter set to 1 is not modelled: the simulation stops with an error
// rather than give a result the hardware would not.

module MULT9X9(A, SIA, B, SIB, ASIGN, BSIGN, ASEL, BSEL, CE, CLK, RESET, DOUT, SOA, SOB);
input  [8:0] A, SIA;
input  [8:0] B, SIB;
input  ASIGN, BSIGN;
input  ASEL, BSEL;
input  CE;
input  CLK;
input  RESET;
output [17:0] DOUT;
output [8:0] SOA, SOB;
parameter AREG = 1'b0;
parameter BREG = 1'b0;
parameter OUT_REG = 1'b0;
parameter PIPE_REG = 1'b0;
parameter ASIGN_REG = 1'b0;
parameter BSIGN_REG = 1'b0;
parameter SOA_REG = 1'b0;
parameter MULT_RESET_MODE = "SYNC";
wire [8:0] a = ASEL ? SIA : A;
wire [8:0] b = BSEL ? SIB : B;
wire signed [9:0] as = {ASIGN & a[8], a};
wire signed [9:0] bs = {BSIGN & b[8], b};
wire signed [19:0] p = as * bs;
assign DOUT = p[17:0];
assign SOA = a;
assign SOB = b;
initial if (AREG || BREG || OUT_REG || PIPE_REG || ASIGN_REG || BSIGN_REG || SOA_REG)
    $fatal(1, "MULT9X9 model: registered modes are not modelled");
endmodule

module MULT18X18(A, SIA, B, SIB, ASIGN, BSIGN, ASEL, BSEL, CE, CLK, RESET, DOUT, SOA, SOB);
input  [17:0] A, SIA;
input  [17:0] B, SIB;
input  ASIGN, BSIGN;
input  ASEL, BSEL;
input  CE;
input  CLK;
input  RESET;
output [35:0] DOUT;
output [17:0] SOA, SOB;
parameter AREG = 1'b0;
parameter BREG = 1'b0;
parameter OUT_REG = 1'b0;
parameter PIPE_REG = 1'b0;
parameter ASIGN_REG = 1'b0;
parameter BSIGN_REG = 1'b0;
parameter SOA_REG = 1'b0;
parameter MULT_RESET_MODE = "SYNC";
wire [17:0] a = ASEL ? SIA : A;
wire [17:0] b = BSEL ? SIB : B;
wire signed [18:0] as = {ASIGN & a[17], a};
wire signed [18:0] bs = {BSIGN & b[17], b};
wire signed [37:0] p = as * bs;
assign DOUT = p[35:0];
assign SOA = a;
assign SOB = b;
initial if (AREG || BREG || OUT_REG || PIPE_REG || ASIGN_REG || BSIGN_REG || SOA_REG)
    $fatal(1, "MULT18X18 model: registered modes are not modelled");
endmodule

module MULT36X36(A, B, ASIGN, BSIGN, CE, CLK, RESET, DOUT);
input  [35:0] A;
input  [35:0] B;
input  ASIGN, BSIGN;
input  CE;
input  CLK;
input  RESET;
output [71:0] DOUT;
parameter AREG = 1'b0;
parameter BREG = 1'b0;
parameter OUT0_REG = 1'b0;
parameter OUT1_REG = 1'b0;
parameter PIPE_REG = 1'b0;
parameter ASIGN_REG = 1'b0;
parameter BSIGN_REG = 1'b0;
parameter MULT_RESET_MODE = "SYNC";
wire signed [36:0] as = {ASIGN & A[35], A};
wire signed [36:0] bs = {BSIGN & B[35], B};
wire signed [73:0] p = as * bs;
assign DOUT = p[71:0];
initial if (AREG || BREG || OUT0_REG || OUT1_REG || PIPE_REG || ASIGN_REG || BSIGN_REG)
    $fatal(1, "MULT36X36 model: registered modes are not modelled");
endmodule

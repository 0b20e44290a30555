// A functional model of the ECP5 MULT18X18D (the 18x18 multiplier of the sysDSP block),
// for simulating netlists from Yosys's synth_ecp5, whose cell library has only a black
// box for it. Written for sigmoid-hw (flow/netlist.py) from Lattice's description of the
// primitive (FPGA-TN-02205, "ECP5 and ECP5-5G sysDSP Usage Guide", MULT18X18D):
//
// - A, B, C: 18-bit inputs; SOURCEA/SOURCEB pick the shift inputs SRIA/SRIB instead.
// - SIGNEDA/SIGNEDB: the operand is two's complement when high, unsigned when low; each
//   travels with its operand through the operand's input register. P = A * B, the
//   exact product of the two 18-bit operands so read (36 bits), and SIGNEDP =
//   SIGNEDA | SIGNEDB, both through the pipeline and output registers.
// - Each register (REG_INPUTA/B/C, REG_PIPELINE, REG_OUTPUT) is bypassed when its _CLK
//   parameter is "NONE"; otherwise it is clocked by the CLK0..3 its _CLK names, enabled
//   by the CE0..3 its _CE names and reset to 0 by the RST0..3 its _RST names
//   (synchronously, or asynchronously with RESETMODE "ASYNC").
// - ROA, ROB, ROC: the input registers' outputs; SROA, SROB: the shift outputs (the
//   registered A and B, for the next block's SRIA/SRIB).
//
// Not modelled, and refused when simulated: MULT_BYPASS "ENABLED", SOURCEB_MODE other
// than "B_SHIFT", HIGHSPEED_CLK, CAS_MATCH_REG "TRUE". GSR and the clock dividers have
// no effect here. Tested against the description above by tests/test_verify_cells.py.
`timescale 1ps / 1ps

module MULT18X18D_REGISTER #(parameter WIDTH = 1, parameter CLK = "NONE", parameter CE = "CE0",
                             parameter RST = "RST0", parameter RESETMODE = "SYNC") (
    input [WIDTH-1:0] d, input [3:0] clk, input [3:0] ce, input [3:0] rst,
    output [WIDTH-1:0] q);
    localparam integer K = CLK == "CLK1" ? 1 : CLK == "CLK2" ? 2 : CLK == "CLK3" ? 3 : 0;
    localparam integer E = CE == "CE1" ? 1 : CE == "CE2" ? 2 : CE == "CE3" ? 3 : 0;
    localparam integer R = RST == "RST1" ? 1 : RST == "RST2" ? 2 : RST == "RST3" ? 3 : 0;
    generate
        if (CLK == "NONE") begin : bypass
            assign q = d;
        end else begin : register
            reg [WIDTH-1:0] r = {WIDTH{1'b0}};
            if (RESETMODE == "ASYNC") begin : async_reset
                always @(posedge clk[K] or posedge rst[R])
                    if (rst[R]) r <= {WIDTH{1'b0}};
                    else if (ce[E]) r <= d;
            end else begin : sync_reset
                always @(posedge clk[K])
                    if (rst[R]) r <= {WIDTH{1'b0}};
                    else if (ce[E]) r <= d;
            end
            assign q = r;
        end
    endgenerate
endmodule

module MULT18X18D(
    A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0, B17, B16,
    B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0, C17, C16, C15, C14,
    C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, C1, C0, SIGNEDA, SIGNEDB, SOURCEA,
    SOURCEB, CLK3, CLK2, CLK1, CLK0, CE3, CE2, CE1, CE0, RST3, RST2, RST1, RST0, SRIA17,
    SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11, SRIA10, SRIA9, SRIA8, SRIA7, SRIA6, SRIA5,
    SRIA4, SRIA3, SRIA2, SRIA1, SRIA0, SRIB17, SRIB16, SRIB15, SRIB14, SRIB13, SRIB12, SRIB11,
    SRIB10, SRIB9, SRIB8, SRIB7, SRIB6, SRIB5, SRIB4, SRIB3, SRIB2, SRIB1, SRIB0, SROA17,
    SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8, SROA7, SROA6, SROA5,
    SROA4, SROA3, SROA2, SROA1, SROA0, SROB17, SROB16, SROB15, SROB14, SROB13, SROB12, SROB11,
    SROB10, SROB9, SROB8, SROB7, SROB6, SROB5, SROB4, SROB3, SROB2, SROB1, SROB0, ROA17, ROA16,
    ROA15, ROA14, ROA13, ROA12, ROA11, ROA10, ROA9, ROA8, ROA7, ROA6, ROA5, ROA4, ROA3, ROA2,
    ROA1, ROA0, ROB17, ROB16, ROB15, ROB14, ROB13, ROB12, ROB11, ROB10, ROB9, ROB8, ROB7, ROB6,
    ROB5, ROB4, ROB3, ROB2, ROB1, ROB0, ROC17, ROC16, ROC15, ROC14, ROC13, ROC12, ROC11, ROC10,
    ROC9, ROC8, ROC7, ROC6, ROC5, ROC4, ROC3, ROC2, ROC1, ROC0, P35, P34, P33, P32, P31, P30,
    P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18, P17, P16, P15, P14, P13, P12,
    P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0, SIGNEDP);
    parameter REG_INPUTA_CLK = "NONE";
    parameter REG_INPUTA_CE = "CE0";
    parameter REG_INPUTA_RST = "RST0";
    parameter REG_INPUTB_CLK = "NONE";
    parameter REG_INPUTB_CE = "CE0";
    parameter REG_INPUTB_RST = "RST0";
    parameter REG_INPUTC_CLK = "NONE";
    parameter REG_INPUTC_CE = "CE0";
    parameter REG_INPUTC_RST = "RST0";
    parameter REG_PIPELINE_CLK = "NONE";
    parameter REG_PIPELINE_CE = "CE0";
    parameter REG_PIPELINE_RST = "RST0";
    parameter REG_OUTPUT_CLK = "NONE";
    parameter REG_OUTPUT_CE = "CE0";
    parameter REG_OUTPUT_RST = "RST0";
    parameter CLK0_DIV = "ENABLED";
    parameter CLK1_DIV = "ENABLED";
    parameter CLK2_DIV = "ENABLED";
    parameter CLK3_DIV = "ENABLED";
    parameter HIGHSPEED_CLK = "NONE";
    parameter GSR = "ENABLED";
    parameter CAS_MATCH_REG = "FALSE";
    parameter SOURCEB_MODE = "B_SHIFT";
    parameter MULT_BYPASS = "DISABLED";
    parameter RESETMODE = "SYNC";
    input A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0, B17, B16,
    B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0, C17, C16, C15, C14,
    C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, C1, C0, SIGNEDA, SIGNEDB, SOURCEA,
    SOURCEB, CLK3, CLK2, CLK1, CLK0, CE3, CE2, CE1, CE0, RST3, RST2, RST1, RST0, SRIA17,
    SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11, SRIA10, SRIA9, SRIA8, SRIA7, SRIA6, SRIA5,
    SRIA4, SRIA3, SRIA2, SRIA1, SRIA0, SRIB17, SRIB16, SRIB15, SRIB14, SRIB13, SRIB12, SRIB11,
    SRIB10, SRIB9, SRIB8, SRIB7, SRIB6, SRIB5, SRIB4, SRIB3, SRIB2, SRIB1, SRIB0;
    output SROA17, SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8, SROA7, SROA6,
    SROA5, SROA4, SROA3, SROA2, SROA1, SROA0, SROB17, SROB16, SROB15, SROB14, SROB13, SROB12,
    SROB11, SROB10, SROB9, SROB8, SROB7, SROB6, SROB5, SROB4, SROB3, SROB2, SROB1, SROB0,
    ROA17, ROA16, ROA15, ROA14, ROA13, ROA12, ROA11, ROA10, ROA9, ROA8, ROA7, ROA6, ROA5, ROA4,
    ROA3, ROA2, ROA1, ROA0, ROB17, ROB16, ROB15, ROB14, ROB13, ROB12, ROB11, ROB10, ROB9, ROB8,
    ROB7, ROB6, ROB5, ROB4, ROB3, ROB2, ROB1, ROB0, ROC17, ROC16, ROC15, ROC14, ROC13, ROC12,
    ROC11, ROC10, ROC9, ROC8, ROC7, ROC6, ROC5, ROC4, ROC3, ROC2, ROC1, ROC0, P35, P34, P33,
    P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18, P17, P16, P15,
    P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0, SIGNEDP;

    initial begin
        if (MULT_BYPASS != "DISABLED" || SOURCEB_MODE != "B_SHIFT" || HIGHSPEED_CLK != "NONE" ||
            CAS_MATCH_REG != "FALSE") begin
            $display("MULT18X18D model: MULT_BYPASS %s, SOURCEB_MODE %s, HIGHSPEED_CLK %s, CAS_MATCH_REG %s: not modelled",
                     MULT_BYPASS, SOURCEB_MODE, HIGHSPEED_CLK, CAS_MATCH_REG);
            $finish;
        end
    end

    wire [3:0] clk = {CLK3, CLK2, CLK1, CLK0};
    wire [3:0] ce = {CE3, CE2, CE1, CE0};
    wire [3:0] rst = {RST3, RST2, RST1, RST0};
    wire [17:0] a_in = SOURCEA ? {SRIA17, SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11, SRIA10, SRIA9, SRIA8, SRIA7, SRIA6, SRIA5, SRIA4, SRIA3, SRIA2, SRIA1, SRIA0} : {A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0};
    wire [17:0] b_in = SOURCEB ? {SRIB17, SRIB16, SRIB15, SRIB14, SRIB13, SRIB12, SRIB11, SRIB10, SRIB9, SRIB8, SRIB7, SRIB6, SRIB5, SRIB4, SRIB3, SRIB2, SRIB1, SRIB0} : {B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0};
    wire [17:0] a, b, c;
    wire signed_a, signed_b;
    MULT18X18D_REGISTER #(.WIDTH(19), .CLK(REG_INPUTA_CLK), .CE(REG_INPUTA_CE),
        .RST(REG_INPUTA_RST), .RESETMODE(RESETMODE)) input_a (
        .d({SIGNEDA, a_in}), .clk(clk), .ce(ce), .rst(rst), .q({signed_a, a}));
    MULT18X18D_REGISTER #(.WIDTH(19), .CLK(REG_INPUTB_CLK), .CE(REG_INPUTB_CE),
        .RST(REG_INPUTB_RST), .RESETMODE(RESETMODE)) input_b (
        .d({SIGNEDB, b_in}), .clk(clk), .ce(ce), .rst(rst), .q({signed_b, b}));
    MULT18X18D_REGISTER #(.WIDTH(18), .CLK(REG_INPUTC_CLK), .CE(REG_INPUTC_CE),
        .RST(REG_INPUTC_RST), .RESETMODE(RESETMODE)) input_c (
        .d({C17, C16, C15, C14, C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, C1, C0}), .clk(clk), .ce(ce), .rst(rst), .q(c));
    // each operand widened by one bit: its sign bit when signed, 0 when unsigned
    wire signed [18:0] a_wide = {signed_a & a[17], a};
    wire signed [18:0] b_wide = {signed_b & b[17], b};
    wire signed [37:0] product = a_wide * b_wide;
    wire [36:0] pipelined, registered;
    MULT18X18D_REGISTER #(.WIDTH(37), .CLK(REG_PIPELINE_CLK), .CE(REG_PIPELINE_CE),
        .RST(REG_PIPELINE_RST), .RESETMODE(RESETMODE)) pipeline (
        .d({signed_a | signed_b, product[35:0]}), .clk(clk), .ce(ce), .rst(rst),
        .q(pipelined));
    MULT18X18D_REGISTER #(.WIDTH(37), .CLK(REG_OUTPUT_CLK), .CE(REG_OUTPUT_CE),
        .RST(REG_OUTPUT_RST), .RESETMODE(RESETMODE)) output_register (
        .d(pipelined), .clk(clk), .ce(ce), .rst(rst), .q(registered));
    assign {SIGNEDP, {P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18, P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0}} = registered;
    assign {ROA17, ROA16, ROA15, ROA14, ROA13, ROA12, ROA11, ROA10, ROA9, ROA8, ROA7, ROA6, ROA5, ROA4, ROA3, ROA2, ROA1, ROA0} = a;
    assign {ROB17, ROB16, ROB15, ROB14, ROB13, ROB12, ROB11, ROB10, ROB9, ROB8, ROB7, ROB6, ROB5, ROB4, ROB3, ROB2, ROB1, ROB0} = b;
    assign {ROC17, ROC16, ROC15, ROC14, ROC13, ROC12, ROC11, ROC10, ROC9, ROC8, ROC7, ROC6, ROC5, ROC4, ROC3, ROC2, ROC1, ROC0} = c;
    assign {SROA17, SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8, SROA7, SROA6, SROA5, SROA4, SROA3, SROA2, SROA1, SROA0} = a;
    assign {SROB17, SROB16, SROB15, SROB14, SROB13, SROB12, SROB11, SROB10, SROB9, SROB8, SROB7, SROB6, SROB5, SROB4, SROB3, SROB2, SROB1, SROB0} = b;
endmodule

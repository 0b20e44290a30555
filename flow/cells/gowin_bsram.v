// Gowin block RAM SP and SPX9, read as Yosys's synth_gowin uses them for a ROM
// (gowin/brams_map.v, $__GOWIN_SP_): READ_MODE 0 (no output register), WE low. Yosys ships
// these cells only as black boxes (gowin/cells_sim.v); this is sigmoid-hw's model, written
// from that mapping: the INIT_RAM_00 .. INIT_RAM_3F parameters, concatenated (00 lowest),
// hold the array (SP: 64 x 256 = 16,384 bits; SPX9: 64 x 288 = 18,432), a word of BIT_WIDTH bits at index i
// lies at bits [i*BIT_WIDTH +: BIT_WIDTH], and its index is the address AD above its
// low log2(BIT_WIDTH) bits (BIT_WIDTH 1, 2, 4 for SP; 9, 18, 36 for SPX9, AD[13:3],
// AD[13:4], AD[13:5]). On a rising CLK with CE high DO takes the word; RESET clears DO
// (RESET_MODE "SYNC": at the clock edge, whatever CE; "ASYNC": at once). A write (WRE
// high at an enabled edge) or READ_MODE 1 is not modelled: the simulation stops with an
// error rather than give a result the hardware would not.

module SP (DO, DI, BLKSEL, AD, WRE, CLK, CE, OCE, RESET);
parameter READ_MODE = 1'b0;
parameter WRITE_MODE = 2'b00;
parameter BIT_WIDTH = 32;
parameter BLK_SEL = 3'b000;
parameter RESET_MODE = "SYNC";
parameter [255:0] INIT_RAM_00 = 0, INIT_RAM_01 = 0, INIT_RAM_02 = 0, INIT_RAM_03 = 0;
parameter [255:0] INIT_RAM_04 = 0, INIT_RAM_05 = 0, INIT_RAM_06 = 0, INIT_RAM_07 = 0;
parameter [255:0] INIT_RAM_08 = 0, INIT_RAM_09 = 0, INIT_RAM_0A = 0, INIT_RAM_0B = 0;
parameter [255:0] INIT_RAM_0C = 0, INIT_RAM_0D = 0, INIT_RAM_0E = 0, INIT_RAM_0F = 0;
parameter [255:0] INIT_RAM_10 = 0, INIT_RAM_11 = 0, INIT_RAM_12 = 0, INIT_RAM_13 = 0;
parameter [255:0] INIT_RAM_14 = 0, INIT_RAM_15 = 0, INIT_RAM_16 = 0, INIT_RAM_17 = 0;
parameter [255:0] INIT_RAM_18 = 0, INIT_RAM_19 = 0, INIT_RAM_1A = 0, INIT_RAM_1B = 0;
parameter [255:0] INIT_RAM_1C = 0, INIT_RAM_1D = 0, INIT_RAM_1E = 0, INIT_RAM_1F = 0;
parameter [255:0] INIT_RAM_20 = 0, INIT_RAM_21 = 0, INIT_RAM_22 = 0, INIT_RAM_23 = 0;
parameter [255:0] INIT_RAM_24 = 0, INIT_RAM_25 = 0, INIT_RAM_26 = 0, INIT_RAM_27 = 0;
parameter [255:0] INIT_RAM_28 = 0, INIT_RAM_29 = 0, INIT_RAM_2A = 0, INIT_RAM_2B = 0;
parameter [255:0] INIT_RAM_2C = 0, INIT_RAM_2D = 0, INIT_RAM_2E = 0, INIT_RAM_2F = 0;
parameter [255:0] INIT_RAM_30 = 0, INIT_RAM_31 = 0, INIT_RAM_32 = 0, INIT_RAM_33 = 0;
parameter [255:0] INIT_RAM_34 = 0, INIT_RAM_35 = 0, INIT_RAM_36 = 0, INIT_RAM_37 = 0;
parameter [255:0] INIT_RAM_38 = 0, INIT_RAM_39 = 0, INIT_RAM_3A = 0, INIT_RAM_3B = 0;
parameter [255:0] INIT_RAM_3C = 0, INIT_RAM_3D = 0, INIT_RAM_3E = 0, INIT_RAM_3F = 0;
output [31:0] DO;
input [31:0] DI;
input [2:0] BLKSEL;
input [13:0] AD;
input WRE, CLK, CE, OCE, RESET;
localparam [16383+32:0] MEM = {32'd0, {INIT_RAM_3F, INIT_RAM_3E, INIT_RAM_3D, INIT_RAM_3C, INIT_RAM_3B, INIT_RAM_3A, INIT_RAM_39,
    INIT_RAM_38, INIT_RAM_37, INIT_RAM_36, INIT_RAM_35, INIT_RAM_34, INIT_RAM_33, INIT_RAM_32,
    INIT_RAM_31, INIT_RAM_30, INIT_RAM_2F, INIT_RAM_2E, INIT_RAM_2D, INIT_RAM_2C, INIT_RAM_2B,
    INIT_RAM_2A, INIT_RAM_29, INIT_RAM_28, INIT_RAM_27, INIT_RAM_26, INIT_RAM_25, INIT_RAM_24,
    INIT_RAM_23, INIT_RAM_22, INIT_RAM_21, INIT_RAM_20, INIT_RAM_1F, INIT_RAM_1E, INIT_RAM_1D,
    INIT_RAM_1C, INIT_RAM_1B, INIT_RAM_1A, INIT_RAM_19, INIT_RAM_18, INIT_RAM_17, INIT_RAM_16,
    INIT_RAM_15, INIT_RAM_14, INIT_RAM_13, INIT_RAM_12, INIT_RAM_11, INIT_RAM_10, INIT_RAM_0F,
    INIT_RAM_0E, INIT_RAM_0D, INIT_RAM_0C, INIT_RAM_0B, INIT_RAM_0A, INIT_RAM_09, INIT_RAM_08,
    INIT_RAM_07, INIT_RAM_06, INIT_RAM_05, INIT_RAM_04, INIT_RAM_03, INIT_RAM_02, INIT_RAM_01,
    INIT_RAM_00}};
localparam SHIFT = BIT_WIDTH == 1 ? 0 : BIT_WIDTH == 2 ? 1 : 2;
wire [13:0] index = AD >> SHIFT;
wire [31:0] word = MEM[index * BIT_WIDTH +: 32] & ((64'd1 << BIT_WIDTH) - 1);
reg [31:0] q = 0;
assign DO = q;
initial if (READ_MODE != 0 || !(BIT_WIDTH == 1 || BIT_WIDTH == 2 || BIT_WIDTH == 4))
    $fatal(1, "SP model: only READ_MODE 0 and BIT_WIDTH 1, 2, 4 are modelled");
generate if (RESET_MODE == "ASYNC") begin
    always @(posedge CLK or posedge RESET)
        if (RESET) q <= 0; else if (CE) q <= word;
end else begin
    always @(posedge CLK)
        if (RESET) q <= 0; else if (CE) q <= word;
end endgenerate
always @(posedge CLK) if (CE && WRE) $fatal(1, "SP model: writes are not modelled");
endmodule

module SPX9 (DO, DI, BLKSEL, AD, WRE, CLK, CE, OCE, RESET);
parameter READ_MODE = 1'b0;
parameter WRITE_MODE = 2'b00;
parameter BIT_WIDTH = 36;
parameter BLK_SEL = 3'b000;
parameter RESET_MODE = "SYNC";
parameter [287:0] INIT_RAM_00 = 0, INIT_RAM_01 = 0, INIT_RAM_02 = 0, INIT_RAM_03 = 0;
parameter [287:0] INIT_RAM_04 = 0, INIT_RAM_05 = 0, INIT_RAM_06 = 0, INIT_RAM_07 = 0;
parameter [287:0] INIT_RAM_08 = 0, INIT_RAM_09 = 0, INIT_RAM_0A = 0, INIT_RAM_0B = 0;
parameter [287:0] INIT_RAM_0C = 0, INIT_RAM_0D = 0, INIT_RAM_0E = 0, INIT_RAM_0F = 0;
parameter [287:0] INIT_RAM_10 = 0, INIT_RAM_11 = 0, INIT_RAM_12 = 0, INIT_RAM_13 = 0;
parameter [287:0] INIT_RAM_14 = 0, INIT_RAM_15 = 0, INIT_RAM_16 = 0, INIT_RAM_17 = 0;
parameter [287:0] INIT_RAM_18 = 0, INIT_RAM_19 = 0, INIT_RAM_1A = 0, INIT_RAM_1B = 0;
parameter [287:0] INIT_RAM_1C = 0, INIT_RAM_1D = 0, INIT_RAM_1E = 0, INIT_RAM_1F = 0;
parameter [287:0] INIT_RAM_20 = 0, INIT_RAM_21 = 0, INIT_RAM_22 = 0, INIT_RAM_23 = 0;
parameter [287:0] INIT_RAM_24 = 0, INIT_RAM_25 = 0, INIT_RAM_26 = 0, INIT_RAM_27 = 0;
parameter [287:0] INIT_RAM_28 = 0, INIT_RAM_29 = 0, INIT_RAM_2A = 0, INIT_RAM_2B = 0;
parameter [287:0] INIT_RAM_2C = 0, INIT_RAM_2D = 0, INIT_RAM_2E = 0, INIT_RAM_2F = 0;
parameter [287:0] INIT_RAM_30 = 0, INIT_RAM_31 = 0, INIT_RAM_32 = 0, INIT_RAM_33 = 0;
parameter [287:0] INIT_RAM_34 = 0, INIT_RAM_35 = 0, INIT_RAM_36 = 0, INIT_RAM_37 = 0;
parameter [287:0] INIT_RAM_38 = 0, INIT_RAM_39 = 0, INIT_RAM_3A = 0, INIT_RAM_3B = 0;
parameter [287:0] INIT_RAM_3C = 0, INIT_RAM_3D = 0, INIT_RAM_3E = 0, INIT_RAM_3F = 0;
output [35:0] DO;
input [35:0] DI;
input [2:0] BLKSEL;
input [13:0] AD;
input WRE, CLK, CE, OCE, RESET;
localparam [18431+36:0] MEM = {36'd0, {INIT_RAM_3F, INIT_RAM_3E, INIT_RAM_3D, INIT_RAM_3C, INIT_RAM_3B, INIT_RAM_3A, INIT_RAM_39,
    INIT_RAM_38, INIT_RAM_37, INIT_RAM_36, INIT_RAM_35, INIT_RAM_34, INIT_RAM_33, INIT_RAM_32,
    INIT_RAM_31, INIT_RAM_30, INIT_RAM_2F, INIT_RAM_2E, INIT_RAM_2D, INIT_RAM_2C, INIT_RAM_2B,
    INIT_RAM_2A, INIT_RAM_29, INIT_RAM_28, INIT_RAM_27, INIT_RAM_26, INIT_RAM_25, INIT_RAM_24,
    INIT_RAM_23, INIT_RAM_22, INIT_RAM_21, INIT_RAM_20, INIT_RAM_1F, INIT_RAM_1E, INIT_RAM_1D,
    INIT_RAM_1C, INIT_RAM_1B, INIT_RAM_1A, INIT_RAM_19, INIT_RAM_18, INIT_RAM_17, INIT_RAM_16,
    INIT_RAM_15, INIT_RAM_14, INIT_RAM_13, INIT_RAM_12, INIT_RAM_11, INIT_RAM_10, INIT_RAM_0F,
    INIT_RAM_0E, INIT_RAM_0D, INIT_RAM_0C, INIT_RAM_0B, INIT_RAM_0A, INIT_RAM_09, INIT_RAM_08,
    INIT_RAM_07, INIT_RAM_06, INIT_RAM_05, INIT_RAM_04, INIT_RAM_03, INIT_RAM_02, INIT_RAM_01,
    INIT_RAM_00}};
localparam SHIFT = BIT_WIDTH == 9 ? 3 : BIT_WIDTH == 18 ? 4 : 5;
wire [13:0] index = AD >> SHIFT;
wire [35:0] word = MEM[index * BIT_WIDTH +: 36] & ((64'd1 << BIT_WIDTH) - 1);
reg [35:0] q = 0;
assign DO = q;
initial if (READ_MODE != 0 || !(BIT_WIDTH == 9 || BIT_WIDTH == 18 || BIT_WIDTH == 36))
    $fatal(1, "SPX9 model: only READ_MODE 0 and BIT_WIDTH 9, 18, 36 are modelled");
generate if (RESET_MODE == "ASYNC") begin
    always @(posedge CLK or posedge RESET)
        if (RESET) q <= 0; else if (CE) q <= word;
end else begin
    always @(posedge CLK)
        if (RESET) q <= 0; else if (CE) q <= word;
end endgenerate
always @(posedge CLK) if (CE && WRE) $fatal(1, "SPX9 model: writes are not modelled");
endmodule

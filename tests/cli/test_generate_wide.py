"""``generate`` at 24 bits: which candidates are searched, the model in blocks, the table of
answers (``sigmoid_hw.scripts.generate_table``). The 24-bit runs themselves are reports
(``docs/measured/gen24-*.json``), not tests."""

import numpy as np

from sigmoid_hw.hw.designs import design, make_design
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.scripts import generate_wide as wide
from sigmoid_hw.scripts.generate import Spec, candidates
from sigmoid_hw.scripts.generate_wide import not_searched, proof_once
from sigmoid_hw.scripts.generate_table import markdown


def test_wide_inputs_search_the_pipeline_and_piecewise_degree_2_and_3():
    # the candidates as generate lists them (not made here: a 24-bit pipeline-cr derives its
    # corrections on 2^23 inputs)
    fmt = dict(function="sigmoid", input_format="SQ(5,19)", output_bits=24)
    listed = [("pipeline", {}), ("pipeline-cr", {"reuse": 2}), ("pipeline-minimax", {}),
              ("table", fmt),
              ("multipartite", dict(fmt, rounding="faithful"))]
    listed += [("piecewise", dict(fmt, rounding=r, degree=d))
               for r in ("faithful", "correct") for d in (1, 2, 3)]
    for accuracy in ("faithful", "correct"):
        spec = Spec("sigmoid", SQ(5, 19), 24, accuracy, "up5k")
        why = {(d, o.get("degree"), o.get("rounding")): not_searched(spec, d, o)
               for d, o in listed}
        searched = {k for k, v in why.items() if v is None}
        # a correct spec is offered no faithful plan (candidates): only degree 1 is left out
        roundings = ("faithful",) if accuracy == "faithful" else ("faithful", "correct")
        assert searched == {("pipeline", None, None)} | {
            ("piecewise", d, r) for d in (2, 3) for r in roundings} | (
            {("pipeline-cr", None, None)} if accuracy == "correct" else set())
        assert all(isinstance(v, str) and v for k, v in why.items() if k not in searched)
    narrow = Spec("sigmoid", SQ(4, 12), 16, "faithful", "up5k")
    assert all(not_searched(narrow, d, o) is None for d, o in candidates(narrow))


def test_model_outputs_in_blocks_equal_one_call(monkeypatch):
    monkeypatch.setattr(wide, "_MODEL_BLOCK", 1000)
    component = make_design("pipeline", input_format="SQ(4,8)", output_bits=10)
    record = design("pipeline")
    x = component.input_format.raw_range()
    whole = np.asarray(record.model(component, x), dtype=np.int64)
    assert wide.model_outputs(record, component, x).tolist() == whole.tolist()


def test_model_proof_shared_by_one_model_only():
    calls = []
    proofs = {}
    a = make_design("pipeline", input_format="SQ(4,8)", output_bits=10)
    b = make_design("pipeline", input_format="SQ(4,8)", output_bits=10, reuse=2)
    c = make_design("pipeline-minimax", input_format="SQ(4,8)", output_bits=10)
    d = make_design("table", function="sigmoid", input_format="SQ(4,8)", output_bits=10)
    for name, component in (("pipeline", a), ("pipeline", b), ("pipeline-minimax", c),
                            ("table", d), ("table", d)):
        proof_once(name, component, proofs, lambda n, _: calls.append(n) or n)
    assert calls == ["pipeline", "pipeline-minimax", "table", "table"]   # no params: each


def test_table_rows_from_reports():
    report = {"design": "pipeline", "options": {"input_format": "SQ(5,19)", "output_bits": 24,
                                                "reuse": 4, "multiplier_width": 16},
              "luts": 812, "ffs": 640, "dsps": 1, "brams": 2, "fmax_mhz": 41.23, "latency": 30,
              "interval": 8,
              "max_ulp": 0.52263, "correctly_rounded": 0.99984,
              "rtl_proof": {"backend": "verilator", "count": 16777216, "mismatches": 0,
                            "missing": 0, "passed": True},
              "spec": {"function": "sigmoid", "device": "up5k", "accuracy": "faithful"},
              "command": "sigmoid-hw generate --input-format SQ(5,19)", "commit": "abc1234",
              "seconds": 1234.4}
    failed = {"design": None, "failure": "no design meets the spec; closest: x",
              "spec": {"function": "tanh", "device": "hx8k", "accuracy": "correct"},
              "command": "c"}
    lines = markdown([report, failed]).splitlines()
    assert len(lines) == 4 and lines[0].startswith("| function | device | accuracy |")
    assert lines[2] == ("| sigmoid | up5k | faithful | pipeline (reuse=4, multiplier_width=16) | 812 | "
                        "640 | 1 | 2 | 41.2 | 30 / 8 | 0.5226 | 99.9840% | verilator: "
                        "16,777,216 inputs, 0 mismatches, 0 missing | `sigmoid-hw generate "
                        "--input-format 'SQ(5,19)'` (abc1234, 1234 s) |")
    assert lines[3].startswith("| tanh | hx8k | correct | no design: no design meets the spec")


def test_wide_inputs_leave_out_the_dsp_port_search():
    """The correct piecewise plan on a DSP port is searched at 16 bits, not at 24 (its
    coefficient search ran over 30 minutes there): left out with the reason."""
    fmt = dict(function="sigmoid", input_format="SQ(5,19)", output_bits=24)
    options = dict(fmt, rounding="correct", degree=2, operand_bits=18)
    why = not_searched(Spec("sigmoid", SQ(5, 19), 24, "correct", "ecp5-85f"), "piecewise",
                       options)
    assert why.startswith("not searched above 20 input bits: the coefficient search")
    narrow = dict(options, input_format="SQ(4,12)", output_bits=16)
    assert not_searched(Spec("sigmoid", SQ(4, 12), 16, "correct", "ecp5-85f"), "piecewise",
                        narrow) is None

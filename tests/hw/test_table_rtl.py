# amaranth: UnusedElaboratable=no
"""FunctionTable's gateware equals its model on every input, under random stalls and gaps."""

import pytest

from sigmoid_hw.hw.methods.table import FunctionTable
from sigmoid_hw.model.fixed import SQ
from method_checks import check_rtl
from sigmoid_hw.model.methods.table import evaluate_table


def _check(dut, stall, gap, seed):
    check_rtl(dut, evaluate_table, stall=stall, gap=gap, seed=seed)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "gelu"])
def test_table_rtl_equals_model_16_bit(name):
    _check(FunctionTable(name), stall=0.25, gap=0.1, seed=7)


@pytest.mark.parametrize("name", ["dsigmoid", "silu", "elu", "dtanh", "dsilu", "dgelu"])
def test_table_rtl_equals_model_8_bit(name):
    _check(FunctionTable(name, SQ(4, 4), 8), stall=0.3, gap=0.2, seed=3)


def test_table_rtl_at_a_target():
    dut = FunctionTable("tanh", SQ(4, 6), 10, target_mhz=120, family="ice40-up")
    assert dut.latency == 6
    _check(dut, stall=0.3, gap=0.2, seed=5)


def test_table_unit_errors():
    with pytest.raises(ValueError, match=r"^family must be one of 'ecp5', 'gowin-gw1n', "
                                         r"'gowin-gw2a', 'ice40-hx', 'ice40-up', not 'xilinx'$"):
        FunctionTable(family="xilinx")
    with pytest.raises(ValueError, match=r"^target_mhz=100.0 needs a family"):
        FunctionTable(target_mhz=100)
    with pytest.raises(ValueError, match=r"^target_mhz must be in \(0, 2000\], not -5$"):
        FunctionTable(target_mhz=-5, family="ecp5")


@pytest.mark.parametrize("name,segments", [("sigmoid", 2), ("sigmoid", 8), ("tanh", 4),
                                           ("gelu", 4), ("dsilu", 16)])
def test_segmented_table_rtl_equals_model(name, segments):
    # one memory word holds every segment's field, the segment bits pick one (core latency 3)
    dut = FunctionTable(name, SQ(4, 6), 10, "correct", segments=segments)
    assert len(dut.plan.widths) > 1 and dut.latency == 7
    _check(dut, stall=0.3, gap=0.2, seed=11)


def test_segmented_table_rtl_equals_model_12_bit():
    # a 16-bit sigmoid's shape at 12 bits: 4 fields of one word, the last segment partly
    # filled (past R's last change, the tail constant); the 16-bit units are checked by
    # sigmoid-hw verify --design table --segments S (docs/methods.md)
    dut = FunctionTable("sigmoid", SQ(4, 8), 12, "correct", segments=4)
    plan = dut.plan
    assert len(plan.widths) == 4 and plan.depth < 4 * plan.segment_depth
    _check(dut, stall=0.25, gap=0.1, seed=13)

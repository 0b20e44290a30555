# amaranth: UnusedElaboratable=no
"""ReducedTable's gateware equals its model on every input, under random stalls and gaps."""

import numpy as np
import pytest

from sigmoid_hw.hw.designs import design, make_design
from sigmoid_hw.hw.methods.reduced_table import ReducedTable
from sigmoid_hw.hw.streamsim import run_stream
from sigmoid_hw.model.fixed import SQ


def _check(dut, seed, stall=0.3, gap=0.2):
    x = dut.input_format.raw_range()
    out, _ = run_stream(dut, [int(v) for v in x], stall=stall, gap=gap, seed=seed)
    expected = design("reduced-table").model(dut, x)
    assert len(out) == len(x)
    wrong = np.flatnonzero(np.array(out, dtype=np.int64) != expected)
    assert wrong.size == 0, "RTL != model at x = {}".format(x[wrong[:5]])


@pytest.mark.parametrize("name,drop,fold", [
    ("sigmoid", 2, "none"),     # unsigned, no fold
    ("sigmoid", 3, "ones"),     # the input and the output XOR the sign (2^W - 1 - v)
    ("tanh", 2, "ones"),        # signed: -v - 1
    ("dsigmoid", 3, "ones"),    # even: only the input folded
    ("gelu", 1, "none"),        # signed, no fold
])
def test_reduced_table_rtl_equals_model_8_bit(name, drop, fold):
    dut = ReducedTable(name, SQ(4, 8), 8, input_drop=drop, fold=fold)
    assert dut.latency == 2 and dut.plan.fold == fold
    _check(dut, seed=11)


def test_reduced_table_padded_rtl_equals_model():
    # 12 output bits, 4 of them not computed: the unit's 8 bits shifted into place
    dut = make_design("reduced-table", function="sigmoid", input_format="SQ(4,8)",
                      output_bits=12, input_drop=3, fold="none", drop_bits=4)
    assert dut.output_format.width == 12
    _check(dut, seed=13)


def test_reduced_table_shares_its_high_bits():
    # tanh on the ones' fold at 10 bits: every entry non-negative below 2^9, 9 bits stored
    dut = ReducedTable("tanh", SQ(4, 12), 10, input_drop=5, fold="ones")
    assert dut.plan.depth == 1024 and dut.plan.width == 9 and dut.plan.high == 0

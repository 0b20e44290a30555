# amaranth: UnusedElaboratable=no
"""MultipartiteTable: the RTL equals its model on every input, under random stalls and gaps."""

import numpy as np
import pytest

from sigmoid_hw.hw.methods.multipartite import LOGIC_BITS, MultipartiteTable
from sigmoid_hw.hw.streamsim import first_output
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.methods.multipartite import evaluate_multipartite
from sigmoid_hw.model.methods.spec import unit_model
from method_checks import check_rtl


def _check(dut, stall, gap, seed):
    check_rtl(dut, evaluate_multipartite, stall=stall, gap=gap, seed=seed)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "gelu"])
def test_16_bit_default_equals_model_on_every_input(name):
    dut = MultipartiteTable(name)
    assert dut.input_format == SQ(4, 12) and dut.output_format.width == 16
    # the TIV is big enough for block RAM, the small offset tables stay in logic
    assert len(dut.plan.tiv) * dut.plan.tiv_shape[0] > LOGIC_BITS
    _check(dut, stall=0.3, gap=0.2, seed=19)


@pytest.mark.parametrize("kwargs", [
    dict(rounding="correct"),
    dict(target_mhz=100, family="ice40-up"),
    dict(tables=1, rounding="correct", target_mhz=100, family="ecp5"),
], ids=["correct", "registered", "bipartite"])
@pytest.mark.parametrize("name", ["sigmoid", "elu"])
def test_8_bit_variants_equal_model(name, kwargs):
    dut = MultipartiteTable(name, SQ(4, 8), 8, **kwargs)
    if "tables" in kwargs:
        assert dut.plan.split.tables == 1
    if "target_mhz" in kwargs:
        assert dut.core_latency == 2 + dut.plan.split.tables.bit_length()
    _check(dut, stall=0.5, gap=0.3, seed=7)


@pytest.mark.parametrize("name", ["dsigmoid", "dsilu"])
def test_8_bit_tables_without_c_bits_equal_model(name):
    # gamma = 0: one slope for the whole domain, a table addressed by B's low bits only
    dut = MultipartiteTable(name, SQ(4, 8), 8)
    assert 0 in dut.plan.split.gammas
    _check(dut, stall=0.2, gap=0.2, seed=3)


def test_latency_is_the_frames_plus_the_cores():
    dut = MultipartiteTable("tanh", SQ(3, 5), 8)
    assert dut.core_latency == 2 and dut.latency == 6
    cycles, y = first_output(dut, 40)       # x = 1.25
    assert cycles == dut.latency
    assert y == unit_model(dut.plan, evaluate_multipartite, np.array([40]))[0]


@pytest.mark.parametrize("kwargs,error,message", [
    (dict(tables=0), ValueError, r"^tables must be between 1 and 3, not 0$"),
    (dict(tables="2"), TypeError, r"^tables must be an integer, not '2'$"),
    (dict(fold="odd"), ValueError, r"^fold must be one of 'complement', 'none' for sigmoid "
                                   r"SQ\(4, 8\) -> UQ\(0, 8\) faithful, not 'odd'$"),
    (dict(rounding="exact"), ValueError,
     r"^rounding must be one of 'faithful', 'correct', not 'exact'$"),
    (dict(target_mhz=100), ValueError, r"^target_mhz=100\.0 needs a family"),
])
def test_bad_parameters(kwargs, error, message):
    with pytest.raises(error, match=message):
        MultipartiteTable("sigmoid", SQ(4, 8), 8, **kwargs)

# amaranth: UnusedElaboratable=no
"""tanh, sigmoid', SiLU and ActivationUnit gateware equal their integer models, under stalls."""

import numpy as np
import pytest
from amaranth.lib import wiring

from sigmoid_hw.hw import ActivationUnit, SigmoidDerivativePipeline, SiLUPipeline, TanhPipeline
from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.streamsim import run_stream
from sigmoid_hw.model.fixed import SQ, UQ
from sigmoid_hw.model.function_model import function_fixed, unit_fixed
from sigmoid_hw.model.functions import derive_function
from verilator_checks import check_every_input, needs_verilator

FMT = SQ(4, 12)
X = FMT.raw_range()


def unit_outputs(unit, out, fn):
    """Raw outputs of a unit's words: y's low bits in output_formats[function]."""
    y = np.array([o["y"] for o in out], dtype=np.int64)
    width = np.array([unit.output_formats[k].width for k in fn])
    signed = np.array([unit.output_formats[k].signed for k in fn])
    y &= (1 << width) - 1
    return np.where(signed & ((y >> (width - 1)) == 1), y - (1 << width), y)


@needs_verilator
@pytest.mark.parametrize("name", ["tanh", "dsigmoid", "silu"])
def test_exhaustive_under_stalls(name):
    """Every input, under random stalls and gaps, equal to ``function_fixed`` (Verilator)."""
    check_every_input(name, seed=15, count=X.size)


@pytest.mark.parametrize("cls", [TanhPipeline, SigmoidDerivativePipeline, SiLUPipeline])
def test_correct_rounding_sample(cls):
    dut = cls(rounding="correct")
    corrected = [a for fm in dut.params.maps for a, _ in fm.corrections]
    corrected += [s * a for a, _ in dut.params.core.corrections for s in (1, -1)
                  if FMT.min <= s * a <= FMT.max]
    xs = np.unique(np.concatenate([np.array(corrected, dtype=np.int64),
                                   np.random.default_rng(2).integers(FMT.min, FMT.max, 1500)]))
    out, _ = run_stream(dut, [int(v) for v in xs], stall=0.3, seed=3)
    assert np.array_equal(np.array(out), function_fixed(xs, dut.params))


def test_unit_interleaved_equals_single_pipelines():
    """The function chosen per word at random: each word's result is its function's, equal
    to that function's own pipeline model (8,192 words in pysim; every input of each function
    in ``test_unit_every_input_of_each_function``)."""
    unit = ActivationUnit(("sigmoid", "tanh"))
    rng = np.random.default_rng(7)
    xs = np.concatenate([np.array([FMT.min, -1, 0, 1, FMT.max]),
                         rng.integers(FMT.min, FMT.max + 1, 8187)])
    fn = rng.integers(0, 2, xs.size)
    out, _ = run_stream(unit, [{"x": int(a), "function": int(k)} for a, k in zip(xs, fn)],
                        stall=0.25, gap=0.1, seed=8)
    assert len(out) == xs.size
    assert [o["function"] for o in out] == list(fn)
    y = unit_outputs(unit, out, fn)
    assert np.array_equal(y, unit_fixed(xs, fn, unit.params))
    for k, name in enumerate(unit.functions):
        single = derive_function(name, core=unit.params.core)
        assert np.array_equal(y[fn == k], function_fixed(xs[fn == k], single))


@needs_verilator
def test_unit_every_input_of_each_function():
    check_every_input("activation", seed=8, count=2 * X.size)


def test_unit_model_equals_single_pipelines_on_every_input():
    unit = ActivationUnit(("sigmoid", "tanh"))
    for k, name in enumerate(unit.functions):
        single = derive_function(name, core=unit.params.core)
        assert np.array_equal(unit_fixed(X, np.full(X.size, k), unit.params),
                              function_fixed(X, single))


def test_unit_all_functions_sample():
    unit = ActivationUnit(("sigmoid", "tanh", "dsigmoid", "silu"), rounding="correct")
    rng = np.random.default_rng(9)
    xs = rng.integers(FMT.min, FMT.max + 1, 2000)
    fn = rng.integers(0, 4, xs.size)
    out, cycles = run_stream(unit, [{"x": int(a), "function": int(k)} for a, k in zip(xs, fn)])
    assert np.array_equal(unit_outputs(unit, out, fn), unit_fixed(xs, fn, unit.params))
    assert cycles <= xs.size + unit.latency + 2          # one result per clock, any mix


def test_interfaces():
    for cls, fmt in [(TanhPipeline, SQ(1, 15)), (SigmoidDerivativePipeline, UQ(-1, 17)),
                     (SiLUPipeline, SQ(4, 12))]:
        dut = cls()
        assert isinstance(dut, wiring.Component)
        assert dut.input_format == FMT and dut.output_format == fmt
        assert dut.o.payload.shape().width == 16 and dut.o.payload.shape().signed == fmt.signed
        assert dut.latency == dut.core.latency + (1 if cls is TanhPipeline else 2)
    assert TanhPipeline(rounding="correct").latency == TanhPipeline().core.latency + 1
    unit = ActivationUnit()
    assert unit.functions == ("sigmoid", "tanh")
    assert unit.output_formats == (UQ(0, 16), SQ(1, 15))
    assert set(unit.i.payload.shape().members) == {"x", "function"}
    assert set(unit.o.payload.shape().members) == {"y", "function"}
    p = SigmoidPipeline()
    assert p.input_format == FMT and p.output_format == UQ(0, 16)
    with pytest.raises(TypeError, match=r"^params must be UnitParams of the one function "
                                        r"'tanh'"):
        TanhPipeline(params=derive_function("silu"))
    with pytest.raises(TypeError, match=r"^params must be UnitParams from sigmoid_hw\.model\.functions"):
        ActivationUnit(params=3)


@pytest.mark.parametrize("cls", [TanhPipeline, SiLUPipeline])
def test_target_mhz_same_words(cls):
    # with a target the core runs free behind its credit buffer; the side FIFO still
    # pairs every word with its own S
    dut = cls(target_mhz=150)
    assert dut.latency > cls().latency
    xs = np.random.default_rng(4).integers(FMT.min, FMT.max + 1, 1500)
    out, _ = run_stream(dut, [int(v) for v in xs], stall=0.4, gap=0.2, seed=5)
    assert np.array_equal(np.array(out), function_fixed(xs, dut.params))


def test_target_mhz_registers_the_post_multiplier_operands():
    # with a target the operand b (and the correction match) is registered before the
    # product: post stages more, the same words on an interleaved stream
    functions = ("sigmoid", "tanh", "dsigmoid", "silu")
    plain = ActivationUnit(functions, rounding="correct")
    dut = ActivationUnit(functions, rounding="correct", target_mhz=150)
    assert plain.latency == plain.core.latency + 2
    # operands, product (partial products and adder levels where it is wide), the rounding
    # adds, the clip and choice of function; on the ECP5 at 150 MHz the partial products
    # are MULT18X18D blocks with their three registers where the fabric's product had one,
    # and the clip's comparisons are registered before its choice
    assert dut._hard
    assert dut.latency == dut.core.latency + 4 + len(dut._levels) + 3
    rng = np.random.default_rng(9)
    xs = rng.integers(FMT.min, FMT.max + 1, 800)
    fs = rng.integers(0, len(functions), xs.size)
    fixes = [a for fm in dut.params.maps for a, _ in fm.corrections]
    xs[:len(fixes)] = fixes[:xs.size]        # the corrected inputs too
    out, _ = run_stream(dut, [{"x": int(x), "function": int(f)} for x, f in zip(xs, fs)],
                        stall=0.3, gap=0.2, seed=2)
    want = unit_fixed(xs, fs, dut.params)
    assert [o["function"] for o in out] == fs.tolist()
    width = max(f.width for f in dut.output_formats)
    got = [o["y"] for o in out]
    assert got == [int(y) & ((1 << width) - 1) for y in want]


@pytest.mark.parametrize("family", ["ecp5", "ice40-hx"])
def test_wide_post_product_split_into_partial_products(family):
    # sigmoid' multiplies S (19 bits) by 2^Fc - S: wider than one DSP block, so at a
    # target it is partial products and an adder tree, with the same words
    dut = SigmoidDerivativePipeline(target_mhz=150, family=family)
    unit = dut._unit if hasattr(dut, "_unit") else dut
    assert unit._levels, "the product should be split"
    xs = np.concatenate([np.arange(-40, 40), np.random.default_rng(3).integers(
        FMT.min, FMT.max + 1, 600), [FMT.min, FMT.max]])
    out, _ = run_stream(dut, [int(v) for v in xs], stall=0.3, gap=0.1, seed=8)
    assert np.array_equal(np.array(out), function_fixed(xs, dut.params))


def test_unit_at_an_ice40_target_keeps_its_side_words_in_a_credit_buffer():
    # the core runs free (credit handshake): the side FIFO is a CreditBuffer written one
    # clock after the core accepts a word; interleaved functions under stalls and gaps
    from sigmoid_hw.hw.credit import CreditBuffer
    functions = ("sigmoid", "tanh", "dsigmoid", "silu")
    dut = ActivationUnit(functions, target_mhz=100, family="ice40-hx")
    assert isinstance(dut._side, CreditBuffer) and dut.core.schedule.free_running
    rng = np.random.default_rng(12)
    xs = rng.integers(FMT.min, FMT.max + 1, 600)
    fs = rng.integers(0, len(functions), xs.size)
    out, _ = run_stream(dut, [{"x": int(x), "function": int(f)} for x, f in zip(xs, fs)],
                        stall=0.4, gap=0.2, seed=4)
    width = max(f.width for f in dut.output_formats)
    assert [o["function"] for o in out] == fs.tolist()
    assert [o["y"] for o in out] == [int(y) & ((1 << width) - 1)
                                     for y in unit_fixed(xs, fs, dut.params)]


@pytest.mark.parametrize("cls,post_blocks", [(TanhPipeline, 0), (SiLUPipeline, 4),
                                             (SigmoidDerivativePipeline, 4)])
def test_ecp5_hardened_post_product_same_words(cls, post_blocks):
    # ECP5 at 250 MHz: the post product's partial products in MULT18X18D blocks with their
    # three registers (instances only for synthesis), the rounding adds before the clip
    # (tanh too); the same words under stalls, the blocks' clock enable the post stall
    from amaranth.back import rtlil
    from sigmoid_hw.hw.dsp import PRIMITIVES
    dut = cls(target_mhz=250, family="ecp5")
    hard = rtlil.convert(cls(target_mhz=250, family="ecp5"), emit_src=False,
                         platform=PRIMITIVES)
    cores = rtlil.convert(SigmoidPipeline(params=dut.params.core, target_mhz=250,
                                          family="ecp5"), emit_src=False, platform=PRIMITIVES)
    assert hard.count("cell \\MULT18X18D ") - cores.count("cell \\MULT18X18D ") == post_blocks
    xs = np.concatenate([np.arange(-40, 40), np.random.default_rng(3).integers(
        FMT.min, FMT.max + 1, 500), [FMT.min, FMT.max]])
    out, _ = run_stream(dut, [int(v) for v in xs], stall=0.3, gap=0.1, seed=8)
    assert np.array_equal(np.array(out), function_fixed(xs, dut.params))


def test_ecp5_unit_counts_its_choice_of_x_or_2x_in_the_core_fold():
    # the input map's LUT in front of |x| at 250 MHz: the fold's carry chain gets its own
    # step in the unit's core (not in a core alone); the same words, functions interleaved
    dut = ActivationUnit(target_mhz=250, family="ecp5")
    assert dut.core.schedule.fold_carry
    assert not SigmoidPipeline(params=dut.params.core, target_mhz=250,
                               family="ecp5").schedule.fold_carry
    rng = np.random.default_rng(21)
    xs = np.concatenate([rng.integers(FMT.min, FMT.max + 1, 500), [FMT.min, FMT.max, 0, -1]])
    fs = rng.integers(0, 2, xs.size)
    out, _ = run_stream(dut, [{"x": int(x), "function": int(f)} for x, f in zip(xs, fs)],
                        stall=0.3, gap=0.2, seed=6)
    assert [o["y"] for o in out] == [int(y) & 0xFFFF for y in unit_fixed(xs, fs, dut.params)]

"""FunctionTable's model: every function, correctly rounded on every input, as small as its fold allows."""

import numpy as np
import pytest

from sigmoid_hw.hw.methods.table import table_plan
from sigmoid_hw.model.exact import FUNCTION_NAMES
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.methods.spec import unit_model
from sigmoid_hw.model.methods.table import evaluate_table
from method_checks import check_unit

FORMATS = [(SQ(4, 8), 8), (SQ(4, 12), 16)]


@pytest.mark.parametrize("name", FUNCTION_NAMES)
@pytest.mark.parametrize("fmt,bits", FORMATS, ids=["SQ48-8", "SQ412-16"])
def test_table_correctly_rounded_on_every_input(name, fmt, bits):
    plan = table_plan(name, fmt, bits, "correct")
    y = unit_model(plan, evaluate_table, fmt.raw_range())
    check_unit(name, fmt, plan.problem.spec.output_format, y, "correct")


def test_table_picks_the_smallest_fold():
    # GELU - ReLU is even and small: 10-bit entries, rounded to 0 past x = 4.01
    plan = table_plan("gelu")
    assert plan.problem.fold.name == "delta_relu"
    assert plan.width == 10 and plan.tail == 0
    assert plan.depth < 32769 // 2 + 64
    # the sigmoid stores its right half (R from 2^15 up: 15 bits)
    plan = table_plan("sigmoid")
    assert plan.problem.fold.name == "complement" and plan.width == 15


def test_table_errors():
    with pytest.raises(ValueError, match=r"^fold must be one of 'odd', 'none' for tanh "
                                         r"SQ\(4, 12\) -> SQ\(1, 15\) faithful, not 'even'$"):
        table_plan("tanh", fold="even")
    with pytest.raises(ValueError, match=r"^function must be one of .*, not 'relu'$"):
        table_plan("relu")


def _stored_reference(name, fmt, bits):
    """R on the sigmoid's folded domain a = 0 .. 2^(W-1), from the certified reference, and
    the stored points: up to the first a from which R stays at its last value."""
    from sigmoid_hw.model.function_exact import rounded_reference
    from sigmoid_hw.model.fixed import UQ
    a = np.arange(0, -fmt.min + 1, dtype=np.int64)
    r, _ = rounded_reference(name, a[:-1], fmt, UQ(0, bits))
    last = np.flatnonzero(r != r[-1]).max() + 1        # R(8) = R(8 - ulp) for these formats
    return r[:last + 1]


@pytest.mark.parametrize("segments", [2, 4, 8, 16])
def test_segmented_sigmoid_widths_and_bits(segments):
    # each segment's field is as wide as its own range of R, the memory 2^15 / S words deep
    stored = _stored_reference("sigmoid", SQ(4, 12), 16)
    depth = (1 << 15) // segments
    widths = tuple(int(stored[k:k + depth].max() - stored[k:k + depth].min()).bit_length()
                   for k in range(0, stored.size, depth))
    plan = table_plan("sigmoid", SQ(4, 12), 16, "correct", segments=segments)
    assert plan.problem.fold.name == "complement"
    assert plan.segment_depth == depth and plan.widths == widths
    assert plan.bases == tuple(int(stored[k:k + depth].min())
                               for k in range(0, stored.size, depth))
    assert plan.bits == depth * sum(widths) < table_plan("sigmoid").bits
    if segments == 2:           # R moves by 31,589 on [0, 4), by 1,157 on [4, 8)
        assert widths == (15, 11) and plan.bits == 16384 * 26


@pytest.mark.parametrize("segments", [2, 4, 32])
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "gelu", "silu"])
@pytest.mark.parametrize("fmt,bits", FORMATS, ids=["SQ48-8", "SQ412-16"])
def test_segmented_table_correctly_rounded_on_every_input(name, fmt, bits, segments):
    plan = table_plan(name, fmt, bits, "correct", segments=segments)
    assert len(plan.widths) == -(-plan.depth // plan.segment_depth)
    y = unit_model(plan, evaluate_table, fmt.raw_range())
    check_unit(name, fmt, plan.problem.spec.output_format, y, "correct")
    # the memory's words hold every field inside its width
    words = plan.words()
    assert len(words) == plan.segment_depth and max(words) < 1 << plan.word_bits


def test_one_segment_is_the_plain_table():
    plan = table_plan("sigmoid")
    assert plan.segments == 1 and plan.segment_depth == plan.depth == 32673
    assert plan.widths == (15,) and plan.bits == 490095
    assert plan.words() == list(plan.entries)


def test_segment_errors():
    with pytest.raises(ValueError, match=r"^segments must be a power of two from 1 to 256, "
                                         r"not 3$"):
        table_plan("sigmoid", segments=3)
    with pytest.raises(TypeError, match=r"^segments must be a power of two from 1 to 256, "
                                        r"not '4'$"):
        table_plan("sigmoid", segments="4")
    with pytest.raises(ValueError, match=r"^segments must leave at least 2 points per "
                                         r"segment of the \d+ stored, not 256$"):
        table_plan("sigmoid", SQ(2, 4), 8, segments=256)

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

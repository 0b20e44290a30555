"""generate's knot interpolation candidates: each knot count within the accuracy, signed and
unsigned products, none for correct rounding; make_design rebuilds each from its options."""

from sigmoid_hw.hw.designs import make_design
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.scripts.generate import Spec, candidates


def test_knot_candidates_within_a_number_of_ulp():
    spec = Spec("tanh", SQ(4, 8), 8, 1.476, "up5k")
    knots = [o for d, o in candidates(spec) if d == "knot-interp"]
    assert knots and all(o["budget_ulp"] == 1.476 for o in knots)
    assert {o.get("product", "signed") for o in knots} == {"signed", "unsigned"}
    for o in knots:
        unit = make_design("knot-interp", **o)
        assert unit.plan.max_error <= 1.476 and unit.plan.segments == o["segments"]
    faithful = [o for d, o in candidates(Spec("sigmoid", SQ(4, 8), 8, "faithful", "hx8k"))
                if d == "knot-interp"]
    assert faithful and not any("budget_ulp" in o for o in faithful)
    assert all(make_design("knot-interp", **o).plan.max_error < 1 for o in faithful)
    assert not any(d == "knot-interp" for d, _ in
                   candidates(Spec("sigmoid", SQ(4, 8), 8, "correct", "up5k")))

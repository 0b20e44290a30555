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


def test_knot_features_and_the_fit_knows_the_kind():
    from sigmoid_hw.flow.cost import estimate, features, load_fit
    opts = dict(function="tanh", input_format="SQ(4,8)", output_bits=8, budget_ulp=1.5)
    signed, unsigned = (make_design("knot-interp", **opts, product=p)
                        for p in ("signed", "unsigned"))
    plan = signed.plan
    for unit in (signed, unsigned):
        feat = features(unit)
        # two banks of S/2 words, one product (the difference by t', m + 1 bits)
        assert feat["memories"] == [[plan.segments // 2, plan.width]] * 2
        assert feat["products"] == [list(unit.multiplier)] and feat["corrections"] == 0
        assert feat["latency"] == 6 and feat["interval"] == 1
        # the cost model prices it on every device of the fit (a figure, not "missing")
        for device in ("up5k", "hx8k", "ecp5-85f"):
            est = estimate(feat, device, "KnotInterpolation", load_fit())
            assert isinstance(est["luts"], int) and est["source"] == "model"
    assert features(signed)["products"][0][0] == plan.delta_bits
    assert features(unsigned)["products"][0][0] == plan.rise_bits
    assert features(signed)["mux_bits"] == 0 and features(unsigned)["mux_bits"] == 2 * plan.width

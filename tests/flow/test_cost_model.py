"""The cost model's structural counts (Yosys's mapping rules), its reuse features and its
error measures (``sigmoid_hw.flow.cost``)."""

from sigmoid_hw.flow.cost import (_ff_row, _lut_row, _structural, build_key, estimate, features,
                                  fit_costs, model_errors, same_design)
from sigmoid_hw.hw.designs import make_design


def _feat(memories=(), products=(), **extra):
    base = {"memories": [list(m) for m in memories], "products": [list(p) for p in products],
            "adder_bits": 10, "corrections": 0, "in_width": 16, "out_width": 16, "latency": 4,
            "interval": 1, "mux_bits": 0}
    return dict(base, **extra)


def test_products_as_mul2dsp_cuts_them():
    # synth_ice40 -dsp: 16 x 16 blocks, a product with a result under 11 bits in logic. A 19-bit
    # operand is a 16-bit slice and a 3-bit rest: 3 x 8 (11 bits) takes a second SB_MAC16,
    # 3 x 7 (10 bits) is logic. Built so: docs/measured/piecewise-reuse.md, the correct
    # degree-2 chains with reuse 2 (acc_1 19 bits; t 8 bits for sigmoid, 7 for tanh): 2 and 1
    # SB_MAC16
    assert _structural(_feat(products=[(19, 8)]), "up5k")[1:] == (2, 0, 0)
    assert _structural(_feat(products=[(19, 7)]), "up5k")[1:] == (1, 0, 3 * 7)
    assert _structural(_feat(products=[(4, 6)]), "up5k")[1:] == (0, 0, 24)     # 10-bit result
    assert _structural(_feat(products=[(5, 6)]), "up5k")[1:] == (1, 0, 0)      # 11 bits
    # synth_ecp5: 18 x 18, no result minimum, but an operand of 1 bit is logic
    assert _structural(_feat(products=[(4, 6)]), "ecp5-85f")[1:] == (1, 0, 0)
    assert _structural(_feat(products=[(19, 7)]), "ecp5-85f")[1:] == (1, 0, 7)
    assert _structural(_feat(products=[(37, 20)]), "ecp5-85f")[1] == 2 * 2 + 0  # 18+18+1, 18+2
    assert _structural(_feat(products=[(19, 7)]), "hx8k")[1:] == (0, 0, 19 * 7)
    for fn, dsps in (("sigmoid", 2), ("tanh", 1)):
        unit = make_design("piecewise", function=fn, input_format="SQ(4,12)", output_bits=16,
                           rounding="correct", degree=2, reuse=2)
        assert _structural(features(unit), "up5k")[1] == dsps


def test_roms_where_memory_libmap_puts_them():
    # a block costs 64 (iCE40 EBR) or 128 (ECP5 DP16KD), logic 1/16 per ROM bit
    assert _structural(_feat(memories=[(64, 72)]), "up5k")[:3:2] == (0, 64 * 72)  # 320 >= 288
    assert _structural(_feat(memories=[(128, 74)]), "up5k")[0] == 5                # 320 < 592
    assert _structural(_feat(memories=[(64, 72)]), "ecp5-85f")[0] == 2              # 256 < 288
    assert _structural(_feat(memories=[(64, 43)]), "ecp5-85f")[0] == 0              # 256 >= 172


def test_reuse_is_in_the_lut_row_and_fmax():
    options = dict(function="sigmoid", input_format="SQ(4,12)", output_bits=16,
                   rounding="correct", degree=2)
    plain = features(make_design("piecewise", **options))
    one = features(make_design("piecewise", reuse=3, multiplier_width=16, **options))
    # three passes of a 16-bit operand through one multiplier: two more operands to select
    assert plain["mux_bits"] == 0 and one["mux_bits"] == 2 * 16 and one["interval"] == 3
    assert _lut_row(one, "up5k")[-1] == 32 and _lut_row(plain, "up5k")[-1] == 0
    # the products' registers (acc_(j+1) + t bits each) at R = 1; none in the shared loop
    assert _ff_row(plain)[-1] == sum(a + b for a, b in plain["products"]) > 0
    assert _ff_row(one)[-1] == 0
    # LUTs on a plane in adder and mux bits; Fmax apart for the designs at an interval > 1
    builds = [{"device": "up5k", "kind": "K", "luts": 5 + 2 * a + 3 * m, "ffs": 40,
               "dsps": 0, "brams": 0, "fmax_mhz": 50.0 if m == 0 else 40.0 + a,
               "features": _feat(adder_bits=a, mux_bits=m, interval=1 if m == 0 else 2)}
              for a, m in ((4, 0), (8, 0), (12, 0), (4, 16), (8, 32), (6, 16))]
    models = fit_costs(builds)
    assert models["up5k"]["K"]["fmax_mhz"] == 50.0
    assert models["up5k"]["K"]["fmax_mhz_shared"] == 46.0      # median of 44, 48, 46
    est = estimate(_feat(adder_bits=10, mux_bits=20, interval=2), "up5k", "K",
                   {"models": models})
    assert est["luts"] == 5 + 20 + 60 and est["fmax_mhz"] == 46.0
    assert estimate(_feat(adder_bits=10), "up5k", "K", {"models": models})["fmax_mhz"] == 50.0
    # a plane fits every build left out too: the leave-one-out LUT error is 0
    fit = {"builds": builds, "models": models}
    assert model_errors(fit, leave_one_out=True)["luts"][:2] == (0.0, 0.0)
    # leaving out one of the three interval-2 builds moves their median
    assert model_errors(fit, leave_one_out=True)["fmax_mhz"][1] > 0


def test_a_build_of_an_older_plan_is_not_the_estimate():
    feat = _feat(memories=[(256, 54)])
    key = build_key("piecewise", {"function": "sigmoid"})
    build = {"device": "up5k", "key": key, "luts": 700, "ffs": 600, "dsps": 4, "brams": 0,
             "fmax_mhz": 41.0, "features": dict(feat, memories=[[64, 72]])}
    assert not same_design(build["features"], feat)
    assert estimate(feat, "up5k", "K", {"builds": [build]}, key)["source"] == "structure"
    assert estimate(build["features"], "up5k", "K", {"builds": [build]}, key)["source"] == "built"
    # a build stored before a feature existed is still the same design
    old = {k: v for k, v in feat.items() if k != "mux_bits"}
    assert same_design(old, feat) and not same_design(feat, old)


def test_each_device_is_costed_as_its_family():
    """The cost model's device table is the implementation flow's: every device it
    estimates, and no other, with the family ``implement`` times it as."""
    from sigmoid_hw.flow.cost import FAMILY
    from sigmoid_hw.flow.implement import DEVICES
    assert FAMILY == {name: device.timing_family for name, device in DEVICES.items()}

"""knot_table: the built knot interpolation beside its peer, with compare's verdict rule."""

from sigmoid_hw.hw.designs import design, make_design
from sigmoid_hw.model.function_exact import function_error_metrics
from sigmoid_hw.scripts.knot_table import markdown


def _peer(luts, fmax, dsps=1, brams=2, max_ulp=1.6):
    return {"peer": "tanh-interp256", "device": "up5k", "peer_max_ulp": max_ulp,
            "peer_cost": {"luts": luts, "ffs": 100, "dsps": dsps, "brams": brams,
                          "fmax_mhz": fmax}}


def test_rows_and_verdicts():
    options = {"function": "tanh", "input_format": "SQ(4,8)", "output_bits": 8,
               "budget_ulp": 1.5}
    report = {"device": "up5k", "options": options, "luts": 104, "ffs": 90, "dsps": 1,
              "brams": 2, "fmax_mhz": 60.0, "latency": 6}
    unit = make_design("knot-interp", **options)
    x = unit.input_format.raw_range()
    worst = function_error_metrics("tanh", design("knot-interp").model(unit, x), x,
                                   unit.input_format, unit.output_format)["max_ulp"]
    row = markdown([report], [_peer(100, 66.0)]).splitlines()[2]
    assert "| {:.4f} |".format(worst) in row and row.endswith("| beats it |")
    # 5 % of 99 is below 4 LUT: 104 > 99 + 4; 59.3 MHz < 90 % of 66.0 is still 59.4
    assert markdown([report], [_peer(99, 66.0)]).endswith("does not beat it on luts |\n")
    assert markdown([dict(report, fmax_mhz=59.3)], [_peer(100, 66.0)]).endswith(
        "does not beat it on fmax |\n")
    assert markdown([report], [_peer(100, 66.0, brams=1, max_ulp=1.0)]).endswith(
        "does not beat it on brams, error |\n")

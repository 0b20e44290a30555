"""``python -m sigmoid_hw.scripts.speed``: the issue's targets per row, and the table's cells
(the builds themselves are ``make verify``-sized: not run here)."""

import pytest

from sigmoid_hw.hw.designs import design as design_record
from sigmoid_hw.scripts.compare_functions import row_design
from sigmoid_hw.scripts.speed import TARGETS, _goal, markdown


def test_every_target_row_is_a_design_that_takes_a_target():
    for device, items in TARGETS.items():
        for name, target in items:
            record = design_record(row_design(name)[0])
            assert {"target_mhz", "family"} <= set(record.options), name


@pytest.mark.parametrize("device,design,row,met", [
    ("up5k", "pipeline", {"fmax_mhz": 91.0, "fmax_icetime_mhz": 90.0}, True),
    ("up5k", "pipeline", {"fmax_mhz": 91.0, "fmax_icetime_mhz": 89.9}, False),
    ("up5k", "tanh", {"fmax_mhz": 91.0}, False),                 # icetime missing: not met
    ("hx8k", "activation", {"fmax_mhz": 99.19}, False),
    ("hx8k", "silu", {"fmax_mhz": 100.0}, True),
    ("ecp5-85f", "pipeline", {"fmax_mhz": 210.0, "vs_step_limit": 0.9}, True),
    ("ecp5-85f", "pipeline", {"fmax_mhz": 199.0, "vs_step_limit": 0.9}, False),
    ("ecp5-85f", "pipeline", {"fmax_mhz": 210.0, "vs_step_limit": 0.84}, False),
    ("ecp5-85f", "tanh", {"fmax_mhz": 150.0, "vs_step_limit": 0.8}, True),
    ("ecp5-85f", "silu", {"fmax_mhz": 150.0, "vs_step_limit": 0.79}, False),
])
def test_the_issue_targets(device, design, row, met):
    assert _goal(device, design)[1](dict({"vs_step_limit": None}, **row)) is met


def test_markdown_names_missing_figures_and_misses():
    rows = [
        {"device": "up5k", "design": "pipeline", "target_mhz": 90.0, "latency": 55, "fits": True,
         "luts": 554, "core_ffs": 1318, "dsps": 6, "brams": 1, "fmax_mhz": 87.47,
         "fmax_icetime_mhz": None, "vs_step_limit": 0.44, "goal": "90 MHz by nextpnr and icetime",
         "meets": False, "dsp_registers": "6 SB_MAC16: registers inside A 2/4",
         "critical_path": "a -> b, 11.43 ns (7 logic levels)"},
        {"device": "up5k", "design": "horner-step-limit", "latency": 4, "fits": True,
         "luts": 10, "core_ffs": 0, "dsps": 1, "brams": 0, "fmax_mhz": 198.45,
         "fmax_icetime_mhz": 150.0},
        {"device": "hx8k", "design": "tanh", "target_mhz": 100.0, "latency": 40, "fits": False,
         "note": "Design does not fit hx8k", "goal": "100 MHz", "meets": None},
    ]
    lines = markdown(rows, "abc1234", "python -m sigmoid_hw.scripts.speed", 12.0).splitlines()
    assert lines[0].startswith("Measured at commit `abc1234` by `python -m sigmoid_hw.scripts."
                               "speed` in 12 s")
    cells = [line.split(" | ") for line in lines[4:]]
    assert cells[0][8:12] == ["87.47", "missing", "0.44", "90 MHz by nextpnr and icetime"]
    assert cells[0][12] == "**no**" and cells[0][14].startswith("`a -> b")
    assert cells[1][1] == "**horner-step-limit**" and cells[1][12] == "-"
    assert "does not fit" in cells[2] and cells[2][12] == "missing"


def test_a_limit_the_device_cannot_have_is_a_note_not_a_failed_run():
    # the HX8K has no DSP block: its dsp-hard-limit row is a note, with no build
    from sigmoid_hw.scripts.speed import _job
    row = _job("dsp-hard-limit", "hx8k", 1)
    assert row["fmax_mhz"] is None and "no DSP block" in row["note"]


def test_summary_one_line_per_device():
    from sigmoid_hw.scripts.speed import summary
    rows = [
        {"device": "up5k", "design": "pipeline", "target_mhz": 90.0, "fmax_mhz": 92.09,
         "fmax_icetime_mhz": 92.69, "meets": True},
        {"device": "up5k", "design": "tanh", "target_mhz": 90.0, "fmax_mhz": None, "meets": None},
        {"device": "up5k", "design": "horner-step-limit", "fmax_mhz": 198.45},
        {"device": "ecp5-85f", "design": "silu", "target_mhz": 250.0, "fmax_mhz": 150.0,
         "vs_step_limit": 0.638, "meets": False},
        {"device": "ecp5-85f", "design": "horner-step-limit", "fmax_mhz": 235.02},
    ]
    lines = summary(rows, "abc1234", "cmd", 3.0).splitlines()
    assert lines[2].split(" | ")[3:5] == ["pipeline", "pipeline-cr"]
    up5k, ecp5 = [line.split(" | ") for line in lines[4:]]
    assert up5k[:6] == ["| up5k", "90", "198.45", "92.09 / 92.69 met", "-", "missing"]
    assert ecp5[1:3] == ["250", "235.02"] and ecp5[7] == "150.0 (0.638x) **not met**"

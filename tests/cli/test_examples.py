"""The examples run, on small inputs, and their checks hold."""

from examples import detection_head, lstm_cell


def test_lstm_cell(capsys):
    dh, dy, words = lstm_cell.run(steps=6, hidden=3)
    assert words == 6 * 5 * 3
    # the activations are within 1 ulp and their inputs within 2^-13 (SQ(4, 12) rounding):
    # a few ulp of 2^-15 after a few steps, far below what a wrong gate would give
    assert 0 < dh < 64 and dy < 64
    assert lstm_cell.main(["--steps", "3", "--hidden", "2"]) == 0
    assert "largest deviation from the float64 cell" in capsys.readouterr().out


def test_detection_head(capsys):
    r = detection_head.run(grid=5, seed=1)
    assert r["anchors"] == 75 and r["passed"] + r["saved"] == 75 and r["saved"] > 0
    assert r["same_as_exact"] and r["scores_equal_model"] and r["max_score_error"] <= 1
    assert detection_head.main(["--grid", "4"]) == 0
    assert "sigmoids saved" in capsys.readouterr().out

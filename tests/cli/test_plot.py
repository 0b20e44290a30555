"""``sigmoid-hw plot``: the PNG files, and the plotted data against the model and mpmath."""

import re

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import mpmath
import numpy as np
import pytest

from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.pipeline import derive_params, plan_for, sigmoid_fixed
from sigmoid_hw.report.plots import PLOT_FILES, make_figures, write_plots
from sigmoid_hw.scripts.cli import main
import oracle


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _exact(raw, f_bits):
    return float(oracle.sigmoid_raw(raw, f_bits))


@pytest.fixture(scope="module")
def default_plots(tmp_path_factory):
    out = tmp_path_factory.mktemp("plots")
    paths, data = write_plots(derive_params(), str(out))
    return out, paths, data


def test_pngs_written_with_their_size(default_plots):
    out, paths, _ = default_plots
    assert sorted(p.rsplit("/", 1)[1] for p in paths) == sorted(PLOT_FILES)
    for name in PLOT_FILES:
        path = out / name
        assert path.stat().st_size > 20_000
        assert _png_size(path) == (800, 500)


def test_plotted_data_is_the_model_over_every_input(default_plots):
    _, _, data = default_plots
    raw = np.arange(-32768, 32768)
    assert data["exhaustive"]
    assert np.array_equal(data["raw_x"], raw)
    figs = make_figures(data)
    try:
        ax = figs["sigmoid.png"].axes[0]
        exact_line, hw_line = ax.lines[:2]
        assert np.array_equal(hw_line.get_xdata(), raw / 4096)
        assert np.array_equal(hw_line.get_ydata(), sigmoid_fixed(raw) / 65536)
        # the exact curve and the errors, checked with mpmath on a sample
        sample = np.random.default_rng(5).choice(raw.size, 300, replace=False)
        ydata = exact_line.get_ydata()
        scatter = figs["error_ulp.png"].axes[0].collections
        offsets = np.concatenate([c.get_offsets() for c in scatter[:2]])
        err_by_x = dict(zip(offsets[:, 0], offsets[:, 1]))
        assert len(err_by_x) == raw.size
        y_model = sigmoid_fixed(raw)
        for i in sample:
            exact = _exact(raw[i], 12)
            assert abs(ydata[i] - exact) < 1e-15
            assert abs(err_by_x[raw[i] / 4096] - (y_model[i] - exact * 65536)) < 1e-9
        hist = figs["error_hist.png"].axes[0].patches
        assert sum(p.get_height() for p in hist) == raw.size
    finally:
        for fig in figs.values():
            plt.close(fig)


def test_error_stays_within_the_proven_bound(default_plots):
    _, _, data = default_plots
    bound = 0.5 + float(plan_for(derive_params()).error_bound)
    assert np.abs(data["error"]).max() <= bound
    assert data["metrics"]["faithful"] == 1.0


def test_cli_small_format(tmp_path, capsys):
    assert main(["plot", "--out", str(tmp_path), "--input-format", "SQ(3,5)",
                 "--output-bits", "8"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^model +SQ\(3, 5\) -> UQ\(0,8\), order \d+, table coefficients, "
                     r"faithful rounding \(256 inputs, all of them\)$", out, re.M)
    for name in PLOT_FILES:
        assert _png_size(tmp_path / name) == (800, 500)
        assert re.search(r"^wrote +\S+{} \(800x500, [\d,]+ bytes\)$".format(re.escape(name)),
                         out, re.M)


def test_cli_rejects_too_few_points(tmp_path, capsys):
    assert main(["plot", "--out", str(tmp_path), "--points", "3"]) == 2
    assert re.fullmatch(r"sigmoid-hw plot: error: Points must be at least 16, not 3\n",
                        capsys.readouterr().err)


def test_sampled_inputs_for_a_wide_format(tmp_path):
    params = derive_params(SQ(4, 20), 16)
    paths, data = write_plots(params, str(tmp_path), max_points=2000)
    assert not data["exhaustive"]
    assert 1900 <= data["raw_x"].size <= 2000
    assert data["raw_x"][0] == -(1 << 23) and data["raw_x"][-1] == (1 << 23) - 1
    assert np.array_equal(data["raw_y"], sigmoid_fixed(data["raw_x"], params))


def test_cli_minimax_and_the_saturation_note(tmp_path, capsys):
    """Every coefficient source is accepted; an error above the bound comes with its reason."""
    assert main(["plot", "--out", str(tmp_path), "--input-format", "SQ(4,8)",
                 "--output-bits", "8", "--coefficients", "minimax"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^model +SQ\(4, 8\) -> UQ\(0,8\), order \d+, minimax coefficients", out,
                     re.M)
    # 2^8 sigmoid(x) >= 255.5 exactly when x >= ln(511) = 6.2363...: raw 1597 .. 2047
    with mpmath.workdps(30):
        first = int(mpmath.floor(mpmath.log(511) * 256)) + 1
    assert re.search(r"^note +max error above the bound from saturation: {} inputs \(x >= "
                     r"{:.6g}\)".format(2048 - first, first / 256), out, re.M)


@pytest.mark.parametrize("function,exact", [
    ("tanh", mpmath.tanh),
    ("dsigmoid", lambda x: oracle.sigmoid(x) * (1 - oracle.sigmoid(x))),
    ("silu", lambda x: x * oracle.sigmoid(x))])
def test_function_plot_data_against_mpmath(function, exact):
    from sigmoid_hw.model.functions import derive_function
    from sigmoid_hw.report.plots import plot_data
    params = derive_function(function, SQ(4, 8), 12)
    data = plot_data(params)
    assert data["function"] == function and data["exhaustive"]
    f_bits = params.output_formats[0].f_bits
    for k in range(0, data["raw_x"].size, 97):
        x = mpmath.mpf(int(data["raw_x"][k])) / (1 << 8)
        want = float(exact(x) * (1 << f_bits))
        # the plotted exact value and error, against mpmath (not the project's exact code)
        assert abs(data["exact"][k] * (1 << f_bits) - want) < 1e-6
        assert abs(data["error"][k] - (int(data["raw_y"][k]) - want)) < 1e-6
    assert data["metrics"]["max_ulp"] < 1


def test_cli_function_plot_files_and_refused_core_options(tmp_path, capsys):
    assert main(["plot", "--function", "tanh", "--input-format", "SQ(4,8)", "--output-bits",
                 "12", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "tanh" in out and "bound" in out
    for name in ("tanh.png", "error_ulp.png", "error_hist.png"):
        assert (tmp_path / name).stat().st_size > 10000
    assert main(["plot", "--function", "silu", "--order", "4", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--order" in err and "--function silu" in err

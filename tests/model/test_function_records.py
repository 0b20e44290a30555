"""The Function records: names parsed once, formats, folds, and the exact references they rely on.

The new references (GELU, ELU, tanh', SiLU', GELU') are checked against
mpmath with *other* formulas than ``sigmoid_hw.model.exact.mpref`` uses (erf instead of
erfc, 1 - tanh^2 instead of sech^2, a numerical derivative of SiLU and GELU),
at 60 digits; mpref's formulas for the four older functions are checked
against the integer-certified references of ``sigmoid_hw.model.accuracy``.
"""

import mpmath
import numpy as np
import pytest

from sigmoid_hw.model.exact import Activation, Method, Rounding, function, FUNCTION_NAMES, rounding_mode
from sigmoid_hw.model.exact.function import FOLDS
from sigmoid_hw.model.exact.mpref import mp_scaled
from sigmoid_hw.model.fixed import SQ, UQ
from sigmoid_hw.model.function_exact import correctly_rounded, exact_scaled
from sigmoid_hw.model.methods.spec import FunctionSpec, problem

FMT = SQ(4, 12)


def test_names_parse_once():
    assert function("gelu").name is Activation.GELU
    assert function(Activation.TANH) is function("tanh")
    assert str(Activation.SILU) == "silu" and "{}".format(Method.TABLE) == "table"
    assert rounding_mode("correct") is Rounding.CORRECT
    assert FUNCTION_NAMES == ("sigmoid", "tanh", "dsigmoid", "silu", "gelu", "elu", "dtanh",
                              "dsilu", "dgelu")
    with pytest.raises(ValueError, match=r"^function must be one of 'sigmoid', .*'dgelu', "
                                         r"not 'cos'$"):
        function("cos")
    with pytest.raises(TypeError, match=r"^function must be one of .*, not 3$"):
        function(3)
    with pytest.raises(ValueError, match=r"^rounding must be one of 'faithful', 'correct', "
                                         r"not 'up'$"):
        rounding_mode("up")


@pytest.mark.parametrize("name,fmt", [
    ("sigmoid", UQ(0, 16)), ("tanh", SQ(1, 15)), ("dsigmoid", UQ(-1, 17)), ("silu", SQ(4, 12)),
    ("gelu", SQ(4, 12)), ("elu", SQ(4, 12)), ("dtanh", UQ(1, 15)), ("dsilu", SQ(2, 14)),
    ("dgelu", SQ(2, 14))])
def test_default_output_formats_hold_the_range(name, fmt):
    rec = function(name)
    assert rec.output_format(FMT, 16) == fmt
    # the range over [-8, 8) on a grid, from mpmath, fits the format (saturation aside)
    xs = [mpmath.mpf(k) / 64 for k in range(-512, 512)]
    values = [_independent(name, x) for x in xs]
    assert min(values) >= fmt.min_value and max(values) <= fmt.max_value + fmt.resolution


def test_format_and_spec_errors():
    with pytest.raises(ValueError, match=r"^output_bits must exceed the input's 4 integer "
                                         r"bits, not 4$"):
        function("gelu").output_format(FMT, 4)
    with pytest.raises(ValueError, match=r"^input_format must have at most 24 bits, not "
                                         r"SQ\(5, 20\)$"):
        FunctionSpec.make("gelu", SQ(5, 20))
    with pytest.raises(TypeError, match=r"^input_format must be an SQ format"):
        FunctionSpec.make("gelu", "SQ(4,12)")


def _independent(name, x):
    """f(x) with formulas other than mpref's."""
    mp = mpmath.mp
    s = lambda t: mp.exp(t) / (1 + mp.exp(t))
    if name == "sigmoid":
        return s(x)
    if name == "tanh":
        return (mp.exp(2 * x) - 1) / (mp.exp(2 * x) + 1)
    if name == "dsigmoid":
        return mp.exp(-x) / (1 + mp.exp(-x)) ** 2
    if name == "silu":
        return x * s(x)
    if name == "gelu":
        return x * (1 + mp.erf(x / mp.sqrt(2))) / 2
    if name == "elu":
        return x if x >= 0 else mp.exp(x) - 1
    if name == "dtanh":
        return 1 - mp.tanh(x) ** 2
    if name == "dsilu":
        return mp.diff(lambda t: t * s(t), x)
    if name == "dgelu":
        return mp.diff(lambda t: t * (1 + mp.erf(t / mp.sqrt(2))) / 2, x)
    raise AssertionError(name)


@pytest.mark.parametrize("name", ["gelu", "elu", "dtanh", "dsilu", "dgelu"])
def test_new_references_against_other_formulas(name):
    rec = function(name)
    out = rec.output_format(FMT, 16)
    raw = np.array(list(range(-32768, 32768, 251)) + [-1, 0, 1, 32767], dtype=np.int64)
    got, _ = correctly_rounded(name, raw, FMT, out)
    with mpmath.workdps(60):
        for r, g in zip(raw.tolist(), got.tolist()):
            v = _independent(name, mpmath.mpf(r) / 4096) * 2 ** out.f_bits
            floor = int(mpmath.floor(v))
            assert abs(v - floor - mpmath.mpf(1) / 2) > mpmath.mpf(10) ** -20
            assert g == floor + (1 if v - floor > 0.5 else 0), (name, r)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "dsigmoid", "silu"])
def test_mp_formulas_agree_with_integer_certified(name):
    out = function(name).output_format(SQ(4, 8), 12)
    raw = SQ(4, 8).raw_range()
    numer, shift, bound = exact_scaled(name, raw, SQ(4, 8), out)
    mnumer, mshift, mbound = mp_scaled(name, raw, SQ(4, 8), out.f_bits, 64)
    bound = np.broadcast_to(np.asarray(bound, dtype=object), numer.shape)
    # both enclose the same value: the two intervals intersect on every input
    for k in range(raw.size):
        lo1, hi1 = (numer[k] - bound[k]) << mshift, (numer[k] + bound[k]) << mshift
        lo2, hi2 = (mnumer[k] - mbound[k]) << shift, (mnumer[k] + mbound[k]) << shift
        assert lo1 <= hi2 and lo2 <= hi1, (name, raw[k])


@pytest.mark.parametrize("name", FUNCTION_NAMES)
@pytest.mark.parametrize("fmt,bits", [(SQ(4, 4), 8), (SQ(4, 8), 8)])
def test_every_fold_rebuilds_the_rounded_function(name, fmt, bits):
    """A correctly rounded h, unfolded, is the correctly rounded f on every input."""
    spec = FunctionSpec.make(name, fmt, bits)
    x = fmt.raw_range()
    r, _ = correctly_rounded(name, x, fmt, spec.output_format)
    expect = np.clip(r, *spec.function.saturation(spec.output_format))
    folds = spec.function.folds_for(fmt, spec.output_format)
    assert folds[-1] is FOLDS["none"]
    for fold in folds:
        p = problem(spec, fold)
        a, _ = fold.fold(x)
        assert (p.unfold(p.rounded[a - p.lo], x) == expect).all(), fold.name


def test_folds_needing_x_refused_when_inexact():
    spec = FunctionSpec.make("silu", SQ(4, 8), 8)     # SQ(4, 4) out: f_out < f_in
    assert [f.name for f in spec.function.folds_for(spec.input_format,
                                                    spec.output_format)] == ["none"]
    with pytest.raises(ValueError, match=r"^fold 'delta_relu' is not exact for silu"):
        problem(spec, FOLDS["delta_relu"])


def _mp_scaled_sigmoid(raw, f_bits, out_bits):
    return [mpmath.mpf(2) ** out_bits / (1 + mpmath.exp(-mpmath.mpf(int(v)) / 2 ** f_bits))
            for v in raw]


def test_reference_in_blocks_and_one_wide_format_cached(monkeypatch):
    """The reference certified a block at a time (as 2^24 inputs are) equals mpmath's
    rounding at 50 digits on every input, and one wide format at a time stays cached."""
    import sigmoid_hw.model.function_exact as fe
    monkeypatch.setattr(fe, "_BLOCK", 37)
    monkeypatch.setattr(fe, "_SMALL_WIDTH", 6)
    monkeypatch.setattr(fe, "_CACHE", {})
    out = UQ(0, 12)
    with mpmath.workdps(50):
        for fmt in (SQ(3, 5), SQ(4, 5)):
            raw = fmt.raw_range()
            r, frac = fe.rounded_reference("sigmoid", raw, fmt, out)
            exact = _mp_scaled_sigmoid(raw, 5, 12)
            assert r.tolist() == [int(mpmath.nint(e)) for e in exact]
            assert np.allclose(frac, [float(e - mpmath.nint(e)) for e in exact],
                               rtol=0, atol=1e-12)
            assert [k[1] for k in fe._CACHE] == [fmt]   # the other wide format was dropped
        few = np.array([-300, 5, 511], dtype=np.int64)  # too few to cache: blocks of them
        r, _ = fe.rounded_reference("sigmoid", few, SQ(5, 5), out)
        assert r.tolist() == [int(mpmath.nint(e)) for e in _mp_scaled_sigmoid(few, 5, 12)]


def test_wide_reference_kept_on_disk(monkeypatch, tmp_path):
    """A wide range's reference is written once and read back only under its own key."""
    import sigmoid_hw.model.function_exact as fe
    monkeypatch.setenv("SIGMOID_HW_CACHE", str(tmp_path))
    monkeypatch.setattr(fe, "_DISK_MIN_WIDTH", 8)
    monkeypatch.setattr(fe, "_CACHE", {})
    fmt, out = SQ(3, 5), UQ(0, 12)
    first, _ = fe.rounded_reference("sigmoid", fmt.raw_range(), fmt, out)
    files = list(tmp_path.glob("reference-*.npz"))
    assert len(files) == 1
    with np.load(files[0]) as stored:     # a wrong value under another key is not used
        np.savez(files[0], key=np.array("another key"), r=stored["r"] + 1, frac=stored["frac"])
    fe._CACHE.clear()
    again, _ = fe.rounded_reference("sigmoid", fmt.raw_range(), fmt, out)
    assert again.tolist() == first.tolist()
    fe._CACHE.clear()
    monkeypatch.setattr(fe, "_in_blocks", None)   # read from the file this time
    read, _ = fe.rounded_reference("sigmoid", fmt.raw_range(), fmt, out)
    assert read.tolist() == first.tolist()
    with mpmath.workdps(50):
        assert first.tolist() == [int(mpmath.nint(e))
                                  for e in _mp_scaled_sigmoid(fmt.raw_range(), 5, 12)]

# amaranth: UnusedElaboratable=no
"""Bad pipeline parameters raise TypeError or ValueError naming the parameter and the value."""

import pytest

from sigmoid_hw.hw import SigmoidPipeline
from sigmoid_hw.model.fixed import SQ, UQ
from sigmoid_hw.model.pipeline import derive_params, sigmoid_fixed


@pytest.mark.parametrize("kwargs,exc,pattern", [
    (dict(order=0), ValueError, r"^order must be between 1 and 12, not 0$"),
    (dict(order=2.5), TypeError, r"^order must be an integer, not 2\.5$"),
    (dict(order=3), ValueError, r"^order=3 leaves an approximation error of [0-9.]+ ulp, above the "
                                r"budget of 0\.25 ulp at output_bits=16; use a higher order$"),
    (dict(output_bits=1), ValueError, r"^output_bits must be between 2 and 32, not 1$"),
    (dict(output_bits=40), ValueError, r"^output_bits must be between 2 and 32, not 40$"),
    (dict(output_bits="16"), TypeError, r"^output_bits must be an integer, not '16'$"),
    (dict(input_format=UQ(4, 12)), TypeError,
     r"^input_format must be an SQ format such as SQ\(4, 12\), not UQ\(4, 12\)$"),
    (dict(input_format="SQ(4,12)"), TypeError, r"^input_format must be an SQ format"),
    (dict(input_format=SQ(9, 12)), ValueError, r"^input_format SQ\(9, 12\) has more than 8"),
    (dict(input_format=SQ(4, 0)), ValueError, r"^input_format SQ\(4, 0\) must have between 1"),
    (dict(coefficients="rom"), ValueError,
     r"^coefficients must be one of 'table', 'derived', 'minimax', not 'rom'$"),
    (dict(acc_frac=(16, 12, 10, 8, 6, 4)), ValueError,
     r"^these widths give an error bound of [0-9.]+ ulp before rounding, above the budget"),
    (dict(acc_frac=(16, 20)), ValueError, r"^acc_frac must be a tuple of order\+1 = 6"),
    (dict(acc_frac=16), TypeError, r"^acc_frac must be a tuple of order\+1 = 6"),
    (dict(budget=float("nan")), ValueError, r"^budget must be a finite number, not nan$"),
    (dict(coefficients=3), TypeError, r"^coefficients must be one of 'table', 'derived', 'minimax', not 3$"),
    (dict(acc_frac=(15, 21, 18, 16, 15, 13)), ValueError,
     r"^acc_frac\[0\] must equal output_bits=16"),
    (dict(acc_frac=(16, 4, 18, 16, 15, 13)), ValueError,
     r"^acc_frac\[0\]=16 must be less than the product's fraction bits 16 \(acc_frac\[1\] \+ "
     r"12 fraction bits of d\)$"),
    (dict(register_product=1), TypeError, r"^register_product must be True or False, not 1$"),
    (dict(budget=0.5), ValueError, r"^budget must be in \(0, 1/2\), not 0\.5$"),
    (dict(budget="small"), TypeError, r"^budget must be a real number, not 'small'$"),
    (dict(coef_frac=30), ValueError, r"^coef_frac applies only to coefficients='derived'"),
    (dict(d_guard=-1, coefficients="derived"), ValueError,
     r"^d_guard must be between 0 and 24, not -1$"),
])
def test_bad_parameters(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        derive_params(**kwargs)
    with pytest.raises(exc, match=pattern):
        SigmoidPipeline(**kwargs)


def test_params_object_type_checked():
    with pytest.raises(TypeError, match=r"^params must be PipelineParams"):
        SigmoidPipeline(params={"order": 5})


@pytest.mark.parametrize("raw,exc,pattern", [
    (32768, ValueError, r"^raw_x value 32768 is outside SQ\(4, 12\) \(raw range \[-32768, 32767\]\)$"),
    ([0, -40000], ValueError, r"^raw_x value -40000 is outside SQ\(4, 12\)"),
    (0.5, TypeError, r"^raw_x must be integers"),
])
def test_model_rejects_out_of_range_inputs(raw, exc, pattern):
    with pytest.raises(exc, match=pattern):
        sigmoid_fixed(raw)

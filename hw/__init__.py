"""Gateware of sigmoid-hw (Amaranth 0.5). Board details live in ``boards/``.

``SigmoidPipeline``      the seed-001 pipeline (hw/pipeline.py), stages in hw/stages.py
``ThresholdComparator``  sigmoid(x) > t decided exactly as raw_x >= L (hw/threshold.py)
``ScoreFilter``          passes only items above threshold, sigmoid for those (hw/score_filter.py)
``TanhPipeline``, ``SigmoidDerivativePipeline``, ``SiLUPipeline``  from the sigmoid core (hw/functions.py)
``ActivationUnit``       one core for several functions, chosen per word (hw/activation.py)

The other methods, one component per method for any of the nine functions, are in
``sigmoid_hw.hw.methods`` (``FunctionTable``, ``MultipartiteTable``, ``PiecewisePolynomial``,
``ReducedTable``); ``sigmoid_hw.hw.designs`` names every design of the project and
builds it from JSON options (``make_design``), as ``sigmoid-hw generate`` reports them.
"""

from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.threshold import ThresholdComparator
from sigmoid_hw.hw.score_filter import ScoreFilter
from sigmoid_hw.hw.activation import ActivationUnit
from sigmoid_hw.hw.functions import TanhPipeline, SigmoidDerivativePipeline, SiLUPipeline

__all__ = ["SigmoidPipeline", "ThresholdComparator", "ScoreFilter", "ActivationUnit",
           "TanhPipeline", "SigmoidDerivativePipeline", "SiLUPipeline"]

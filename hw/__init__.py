"""Gateware of sigmoid-hw (Amaranth 0.5). Board details live in ``boards/``.

``SigmoidPipeline``      the seed-001 pipeline (hw/pipeline.py), stages in hw/stages.py
``ThresholdComparator``  sigmoid(x) > t decided exactly as raw_x >= L (hw/threshold.py)
``ScoreFilter``          passes only items above threshold, sigmoid for those (hw/score_filter.py)
"""

from hw.pipeline import SigmoidPipeline
from hw.threshold import ThresholdComparator
from hw.score_filter import ScoreFilter

__all__ = ["SigmoidPipeline", "ThresholdComparator", "ScoreFilter"]

"""What is right: one ``Function`` record per activation, and its certified exact value.

``sigmoid_hw.model.exact.function`` holds the records (``FUNCTIONS``, ``function(name)``)
with their symmetry, default output format, saturation and the folds a method
may use; ``sigmoid_hw.model.exact.mpref`` evaluates the functions that are not built on
the integer sigmoid of ``sigmoid_hw.model.accuracy`` (GELU, ELU and the derivatives).
"""

from sigmoid_hw.model.exact.function import (Activation, Symmetry, Method, Rounding, Fold, Function,
                                  FUNCTIONS, FUNCTION_NAMES, function, rounding_mode)

__all__ = ["Activation", "Symmetry", "Method", "Rounding", "Fold", "Function", "FUNCTIONS",
           "FUNCTION_NAMES", "function", "rounding_mode"]

"""What ``sigmoid-hw generate`` does for wide inputs (``sigmoid_hw.scripts.generate``).

Above ``WIDE_INPUT_BITS`` input bits (24 bits: 2^24 inputs, every model proof
takes seconds to minutes) the search leaves some methods out, each with its
reason (``not_searched``); every model is proven once even when several
candidates share it (``proof_once``: the pipeline and its reuse variants), and
evaluated a block of inputs at a time (``model_outputs``).
"""

import numpy as np

from sigmoid_hw.hw.designs import design as design_record

__all__ = ["WIDE_INPUT_BITS", "model_outputs", "not_searched", "proof_once"]

_MODEL_BLOCK = 1 << 18


def model_outputs(record, component, x):
    """The record's model on ``x`` as int64, ``2^18`` inputs at a time (a wide plan's model
    makes object arrays of Python ints: 2^24 of them at once take gigabytes)."""
    y = np.empty(x.size, dtype=np.int64)
    for k in range(0, x.size, _MODEL_BLOCK):
        y[k:k + _MODEL_BLOCK] = np.asarray(record.model(component, x[k:k + _MODEL_BLOCK]),
                                           dtype=np.int64).reshape(-1)
    return y

WIDE_INPUT_BITS = 20
_NARROW_ONLY = {
    "table": "2^(W-1) words, 2^23 x 24 bits at 24 bits, beyond every device's block RAM",
    "multipartite": "its split search (the best splits measured on all 2^(W-1) points, "
                    "in floats) is not sized for 24 bits yet",
    "pipeline-minimax": "its per-segment minimax refit (Lawson, up to 400 iterations on every "
                        "input) ran 18 minutes at 24 bits without an answer",
}


def not_searched(spec, design, options):
    """Why candidate ``(design, options)`` of ``spec`` is left out (a wide input), or None."""
    if spec.input_format.width <= WIDE_INPUT_BITS:
        return None
    if design in _NARROW_ONLY:
        why = _NARROW_ONLY[design]
    elif design == "piecewise" and options.get("degree") == 1:
        why = "degree 1 needs about 2^(W/2) segments; degrees 2 and 3 are searched"
    elif design == "piecewise" and spec.accuracy == "faithful" and \
            options.get("rounding") == "correct":
        why = "a faithful spec takes the faithful plans (each plan's search takes minutes)"
    elif design == "piecewise" and "operand_bits" in options:
        why = ("the coefficient search on a DSP port (exact C_0 intervals per segment and "
               "move) ran over 30 minutes at 24 bits without an answer")
    elif design == "pipeline-cr" and spec.accuracy == "faithful":
        why = ("a faithful spec takes the faithful pipeline (pipeline-cr's widths come from "
               "the minimax refit, minutes to hours at 24 bits)")
    else:
        return None
    return "not searched above {} input bits: {}".format(WIDE_INPUT_BITS, why)


def proof_once(design, component, proofs, prove):
    """``prove(design, component)``, once per model: candidates whose record computes the
    same model from the same parameters share the result (kept in the dict ``proofs``)."""
    key = (design_record(design).model, getattr(component, "params", None))
    try:
        hash(key)
    except TypeError:
        key = (None, None)
    if key[1] is None:
        return prove(design, component)
    if key not in proofs:
        proofs[key] = prove(design, component)
    return proofs[key]

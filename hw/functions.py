# amaranth: UnusedElaboratable=no
"""``TanhPipeline``, ``SigmoidDerivativePipeline``, ``SiLUPipeline``: one-function cores.

Each is an ``sigmoid_hw.hw.activation.ActivationUnit`` with one function and plain
streams (``i`` the raw x, ``o`` the raw y), so there is one datapath for
them all. Defaults, input SQ(4, 12) (x = raw / 4096):

* ``TanhPipeline``: SQ(1, 15). The core is a ``SigmoidPipeline`` with input
  SQ(5, 11) (the raw bits of x are those of 2x there) and 16 output bits;
  ``y = S - 2^15``, saturated symmetrically to +-(2^15 - 1) so that
  y(-x) = -y(x) for every x but the most negative. The error in tanh's ulp is
  the core's in its own, and correct rounding carries over exactly; a
  correctly rounded +-1, which does not fit, counts as correct when the output
  is the saturated value (like the sigmoid's 2^F - 1).
* ``SigmoidDerivativePipeline``: UQ(-1, 17) (y = raw / 2^17, the range
  (0, 1/4] at 17 fraction bits): ``S (2^Fc - S)`` on a 19-bit core, rounded
  (bound 1/4 ulp before rounding, ``sigmoid_hw.model.function_params``).
* ``SiLUPipeline``: SQ(4, 12): ``x S`` on a 17-bit core, rounded (bound 1/4 ulp).

Latency: the core's plus one (tanh) or two (multiplier, rounding; also for a
correction table).
"""

from amaranth import *
from amaranth.lib import wiring, stream
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.activation import ActivationUnit
from sigmoid_hw.model.function_params import UnitParams
from sigmoid_hw.model.functions import derive_function

__all__ = ["TanhPipeline", "SigmoidDerivativePipeline", "SiLUPipeline"]


class _OneFunction(wiring.Component):
    """Parameters: ``input_format``, ``output_bits``, ``rounding``, ``target_mhz``,
    ``family``, ``reuse`` and ``multiplier_width`` (for the core: multiply-adds per Horner
    multiplier, a word every ``reuse`` clocks; ``SigmoidPipeline``), ``core``
    (the sigmoid core's ``PipelineParams``, to share another unit's) or ``params``
    (a one-function ``UnitParams``), as ``ActivationUnit``.

    Members
    -------
    i : ``In(stream.Signature(signed(W_in)))``
    o : ``Out(stream.Signature(signed(W) or unsigned(W)))``, as ``output_format``.
    """

    _function = None

    def __init__(self, input_format=None, output_bits=16, rounding="faithful", *,
                 target_mhz=None, family="ecp5", core=None, params=None, reuse=1,
                 multiplier_width=None):
        if params is None:
            params = derive_function(self._function, input_format, output_bits, rounding,
                                     core=core)
        elif not isinstance(params, UnitParams) or params.functions != (self._function,):
            raise TypeError("params must be UnitParams of the one function {!r} from "
                            "sigmoid_hw.model.functions.derive_function, not {!r}".format(
                                self._function, params))
        self._unit = ActivationUnit(params=params, target_mhz=target_mhz, family=family,
                                    reuse=reuse, multiplier_width=multiplier_width)
        out = params.output_formats[0]
        super().__init__({
            "i": In(stream.Signature(signed(params.input_format.width))),
            "o": Out(stream.Signature(signed(out.width) if out.signed else unsigned(out.width))),
        })

    @property
    def params(self):
        return self._unit.params

    @property
    def plan(self):
        """The sigmoid core's plan."""
        return self._unit.plan

    @property
    def core(self):
        return self._unit.core

    @property
    def input_format(self):
        return self._unit.input_format

    @property
    def output_format(self):
        return self._unit.output_formats[0]

    @property
    def latency(self):
        return self._unit.latency

    @property
    def initiation_interval(self):
        """Clock cycles between accepted words at full rate (``reuse``)."""
        return self._unit.initiation_interval

    @property
    def multiplier_width(self):
        """The shared multipliers' signed port width (``SigmoidPipeline.multiplier_width``)."""
        return self._unit.multiplier_width

    @property
    def registers(self):
        return self._unit.registers

    @property
    def stall(self):
        """The core's stall signal."""
        return self._unit.core.stall

    def elaborate(self, platform):
        m = Module()
        unit = m.submodules.unit = self._unit
        m.d.comb += [unit.i.valid.eq(self.i.valid), unit.i.payload.x.eq(self.i.payload),
                     unit.i.payload.function.eq(0), self.i.ready.eq(unit.i.ready),
                     self.o.valid.eq(unit.o.valid), self.o.payload.eq(unit.o.payload.y),
                     unit.o.ready.eq(self.o.ready)]
        return m


class TanhPipeline(_OneFunction):
    __doc__ = "tanh(x) = 2 sigmoid(2x) - 1 from one sigmoid core (module docstring).\n\n    " \
        + _OneFunction.__doc__
    _function = "tanh"


class SigmoidDerivativePipeline(_OneFunction):
    __doc__ = "sigmoid'(x) = s (1 - s) from one sigmoid core and one multiplier.\n\n    " \
        + _OneFunction.__doc__
    _function = "dsigmoid"


class SiLUPipeline(_OneFunction):
    __doc__ = "SiLU(x) = x sigmoid(x) from one sigmoid core and one multiplier.\n\n    " \
        + _OneFunction.__doc__
    _function = "silu"

"""The detector case of seed 000: keep the items whose score passes, and only for those compute the sigmoid.

An item is a logit and a tag (e.g. the index of a candidate box). A
``ThresholdComparator`` decides ``sigmoid(logit) > t`` for every item, one per
clock; rejected items are dropped right there and never reach the sigmoid.
Passing items enter one shared ``SigmoidPipeline``, and their tags wait in a
small FIFO beside it: a tag is pushed when the pipeline accepts its logit and
popped when the pipeline's result is taken. The pipeline is in order and
gives one result per input, so the head of the FIFO is always the tag of the
result on the pipeline's output, however the pipeline stalls. The FIFO is
deeper than the pipeline can hold (``latency + 2``), and the pipeline's input
is also held off while the FIFO is full, so no tag can ever be lost even if
that bound were wrong.

::

    i (logit, tag) -> ThresholdComparator -> (drop if not passed)
                      item register ------> SigmoidPipeline --> o (tag, sigmoid)
                                     \\-> tag FIFO ----------/
"""


from amaranth import *
from amaranth.lib import wiring, stream, data, fifo
from amaranth.lib.wiring import In, Out

from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.pipeline import derive_params, plan_for
from sigmoid_hw.model.validate import check_bool, check_int
from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.threshold import ThresholdComparator, check_threshold_format, compile_limit, \
    limit_port_shape

__all__ = ["ScoreFilter"]


class ScoreFilter(wiring.Component):
    """Pass the items whose ``sigmoid(logit) > t``, in order, optionally with their sigmoid.

    Parameters
    ----------
    input_format : FixedFormat
        Format of the logit; ``SQ(4, 12)`` by default.
    tag_bits : int
        Width of the tag that travels with each item.
    threshold : number, (raw, format) or None
        As for ``ThresholdComparator``; ``None`` adds a runtime ``limit`` port.
    with_sigmoid : bool
        Compute the sigmoid of each passing item with a ``SigmoidPipeline``.
        Without it the output carries the logit instead.
    output_bits, order, coefficients :
        Passed to ``SigmoidPipeline`` (used only ``with_sigmoid``).

    Members
    -------
    i : In(stream.Signature(StructLayout({"logit": signed(W), "tag": unsigned(tag_bits)})))
    o : Out(stream.Signature(StructLayout({"tag": ..., "sigmoid": unsigned(output_bits)})))
        ``{"tag", "logit"}`` instead when ``with_sigmoid`` is false.
    limit : In(signed(W + 1))
        Only with ``threshold=None``; see ``ThresholdComparator``.

    One item is accepted per clock whether it passes or not; a rejected item
    costs one cycle of the comparator and nothing else. ``latency`` is the
    number of cycles from an accepted passing item to its output, when not
    stalled: 1 (the comparator) plus the pipeline's latency with the sigmoid,
    1 without.

    Raises
    ------
    TypeError
        For parameters of the wrong type.
    ValueError
        For out-of-range values, and the errors of ``derive_params``.
    """

    def __init__(self, input_format=SQ(4, 12), tag_bits=8, threshold=0.5, with_sigmoid=True,
                 output_bits=16, order=None, coefficients=None):
        self._input_format = check_threshold_format(input_format)
        self._tag_bits = check_int("tag_bits", tag_bits, 1)
        check_bool("with_sigmoid", with_sigmoid)
        self._threshold = threshold
        self._limit_value = compile_limit(threshold, self._input_format)
        self._with_sigmoid = with_sigmoid
        fmt = self._input_format
        logit_shape = signed(fmt.width) if fmt.signed else unsigned(fmt.width)
        if with_sigmoid:
            self._params = derive_params(input_format=fmt, output_bits=output_bits,
                                         order=order, coefficients=coefficients)
            out_layout = data.StructLayout({"tag": unsigned(self._tag_bits),
                                            "sigmoid": unsigned(self._params.output_bits)})
        else:
            self._params = None
            out_layout = data.StructLayout({"tag": unsigned(self._tag_bits), "logit": logit_shape})
        members = {
            "i": In(stream.Signature(data.StructLayout({"logit": logit_shape,
                                                         "tag": unsigned(self._tag_bits)}))),
            "o": Out(stream.Signature(out_layout)),
        }
        if threshold is None:
            members["limit"] = In(limit_port_shape(fmt))
        super().__init__(members)

    @property
    def input_format(self):
        return self._input_format

    @property
    def tag_bits(self):
        return self._tag_bits

    @property
    def threshold(self):
        return self._threshold

    @property
    def limit_value(self):
        """The compile-time limit L, or ``None`` when it is programmable."""
        return self._limit_value

    @property
    def with_sigmoid(self):
        return self._with_sigmoid

    @property
    def params(self):
        """The pipeline's ``PipelineParams`` (``None`` without the sigmoid)."""
        return self._params

    @property
    def latency(self):
        """Cycles from an accepted passing item to its output when not stalled."""
        return 1 + (plan_for(self._params).latency if self._with_sigmoid else 0)

    @property
    def tag_fifo_depth(self):
        """Depth of the tag FIFO beside the pipeline (0 without the sigmoid)."""
        return plan_for(self._params).latency + 2 if self._with_sigmoid else 0

    def elaborate(self, platform):
        m = Module()

        comparator = m.submodules.comparator = ThresholdComparator(
            self._input_format, self._threshold)
        if self._threshold is None:
            m.d.comb += comparator.limit.eq(self.limit)
        m.d.comb += [
            comparator.i.valid.eq(self.i.valid),
            comparator.i.payload.eq(self.i.payload.logit),
            self.i.ready.eq(comparator.i.ready),
        ]
        # The item beside the comparator's decision register (same load condition).
        item = Signal(self.i.payload.shape())
        with m.If(self.i.valid & comparator.i.ready):
            m.d.sync += item.eq(self.i.payload)
        passed = comparator.o.valid & comparator.o.payload

        if not self._with_sigmoid:
            m.d.comb += [
                self.o.valid.eq(passed),
                self.o.payload.tag.eq(item.tag),
                self.o.payload.logit.eq(item.logit),
                comparator.o.ready.eq(~comparator.o.payload | self.o.ready),
            ]
            return m

        pipeline = m.submodules.pipeline = SigmoidPipeline(params=self._params)
        tags = m.submodules.tags = fifo.SyncFIFO(width=self._tag_bits,
                                                 depth=self.tag_fifo_depth)
        m.d.comb += [
            pipeline.i.payload.eq(item.logit),
            # w_rdy only falls by a push, i.e. when the pipeline takes this item:
            # valid, once high, stays high until taken.
            pipeline.i.valid.eq(passed & tags.w_rdy),
            tags.w_data.eq(item.tag),
            tags.w_en.eq(pipeline.i.valid & pipeline.i.ready),
            # Rejected items are dropped at once, even while the pipeline stalls.
            comparator.o.ready.eq(~comparator.o.payload | (pipeline.i.ready & tags.w_rdy)),

            self.o.valid.eq(pipeline.o.valid),
            self.o.payload.sigmoid.eq(pipeline.o.payload),
            self.o.payload.tag.eq(tags.r_data),
            pipeline.o.ready.eq(self.o.ready),
            tags.r_en.eq(pipeline.o.valid & self.o.ready),
        ]
        return m

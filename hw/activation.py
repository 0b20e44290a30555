# amaranth: UnusedElaboratable=no
"""``ActivationUnit``: sigmoid, tanh, sigmoid' and SiLU from one sigmoid core, chosen per word.

The arithmetic is ``sigmoid_hw.model.function_model`` (the unit equals ``unit_fixed``
bit for bit)::

    x, function ─┬─ input map (x or 2x, muxed) ── SigmoidPipeline (core) ── S ─┐
                 └─ side FIFO (function, x) ────────────────────────────────────┤
                      post 1: P = S * b  (b = 1 | 2^Fc - S | x), fix from (function, x)
                      post 2: y = clip((P + offset + fix 2^s + half) >> s)

(with ``target_mhz``, post 1 is registered steps: the operand b and the fix,
so no mux stands in front of the DSP block; then the product, or, where it is
wider than the family's multiplier, its partial products (one DSP block
each) and one pairwise-add level per register)

The side FIFO takes a word's function and x when the core accepts it (from
registers, one clock later) and gives them back when the core delivers its S: words leave the core in order,
and at most ``core.latency`` are inside (with the shared stall, one per
register; with ``target_mhz``, the core's credits), so a FIFO of that depth
never fills, whichever handshake the core uses. The post stages are a
``sigmoid_hw.hw.chain.StageChain`` with their own stall, which the core sees as
``o.ready``. Without sigmoid' or SiLU (and without corrections) there is no
multiplier and one post stage. One result per clock whatever the mix of
functions.
"""

from amaranth import *
from amaranth.lib import wiring, stream, data
from amaranth.lib.fifo import SyncFIFOBuffered
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.chain import CreditBuffer, StageChain
from sigmoid_hw.hw.dsp import mult18x18d, use_primitives
from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.post_arith import fix as _fix, logic_chunk as _logic_chunk
from sigmoid_hw.hw.post_arith import pairwise as _pairwise, partial_products as _partial_products
from sigmoid_hw.hw.timing import FAMILIES, chunks
from sigmoid_hw.model.function_params import UnitParams
from sigmoid_hw.model.functions import derive_unit

__all__ = ["ActivationUnit"]

class ActivationUnit(wiring.Component):
    """One sigmoid core whose multipliers serve every listed function, chosen per word.

    Parameters
    ----------
    functions : tuple of str
        From ``("sigmoid", "tanh", "dsigmoid", "silu")``; default sigmoid and tanh.
    input_format : SQ
        Default ``SQ(4, 12)``.
    output_bits : int
        Width of every function's output (formats in ``sigmoid_hw.model.functions``).
    rounding : ``"faithful"`` or ``"correct"``
        Correct: every function correctly rounded on every input (the core
        correctly rounded over every input it sees, or a correction table
        before the final rounding).
    target_mhz, family : optional
        Passed on to the core (``SigmoidPipeline``): registers added to meet
        the frequency on that family, same results, more latency.
    core : PipelineParams, optional
        The core to use (see ``sigmoid_hw.model.functions.derive_unit``).
    params : UnitParams, optional
        A complete parameter set instead of the above.
    reuse, multiplier_width : optional
        Multiply-adds per Horner multiplier of the core, and its DSP port width
        (``SigmoidPipeline``): a word every ``reuse`` clocks
        (``initiation_interval``).

    Members
    -------
    i : ``In(stream.Signature(StructLayout({"x": signed(W), "function": n})))``
        ``function`` is the index into ``functions``.
    o : ``Out(stream.Signature(StructLayout({"y": unsigned(Y), "function": n})))``
        ``y`` holds the raw output of ``output_formats[function]`` in its
        low bits (two's complement for a signed format); ``function`` is echoed.
    """

    def __init__(self, functions=("sigmoid", "tanh"), input_format=None, output_bits=16,
                 rounding="faithful", *, target_mhz=None, family="ecp5", core=None,
                 params=None, reuse=1, multiplier_width=None):
        if params is None:
            params = derive_unit(functions, input_format, output_bits, rounding, core=core)
        elif not isinstance(params, UnitParams):
            raise TypeError("params must be UnitParams from sigmoid_hw.model.functions.derive_unit, "
                            "not {!r}".format(params))
        self._params = params
        maps = params.maps
        W, Fc = params.input_format.width, params.core_bits
        fn_bits = max(1, (len(maps) - 1).bit_length())
        self._y_bits = max(fm.output_format.width for fm in maps)
        if family not in FAMILIES:
            raise ValueError("family must be one of {}, not {!r}".format(sorted(FAMILIES), family))
        fam = FAMILIES[family]
        # where the core's multiplies are hardened (ECP5 above ~138 MHz: sigmoid_hw.hw.timing),
        # the post product too: MULT18X18D blocks with their input, pipeline and output
        # registers, the carried fields in three fabric registers beside them (SiLU on the
        # ECP5 at 250 MHz: the product between fabric registers, 7.36 ns), and the rounding
        # adds registered before the clip even without a product (tanh: 5.4 ns in one step);
        # the choice of x or 2x counted in the core's first step (the unit: 5.4 ns with |x|)
        self._hard = (target_mhz is not None and fam.hard_dsp
                      and fam.overhead + fam.multiply(fam.native, fam.native) > 1000 / target_mhz)
        self._core = core_unit = SigmoidPipeline(params=params.core, target_mhz=target_mhz,
                                                 family=family, reuse=reuse,
                                                 multiplier_width=multiplier_width,
                                                 input_logic=int(self._hard and len(maps) > 1))
        side = {}
        if len(maps) > 1:
            side["function"] = fn_bits
        self._fix = any(fm.corrections for fm in maps)
        if any(fm.multiplier == "x" for fm in maps) or self._fix:
            side["x"] = signed(W)
        self._side_fields = side
        # the side FIFO: a CreditBuffer (block RAM, flags from registers, no level logic;
        # its credit is not used) where the core runs free at a target: amaranth's
        # SyncFIFOBuffered's level logic was the unit's critical path on the HX8K at 100 MHz
        # (inner_level -> storage, 10.0 ns)
        width = data.StructLayout(side).size
        self._side = (None if not side else
                      CreditBuffer(unsigned(width), core_unit.latency)
                      if core_unit.schedule.free_running else
                      SyncFIFOBuffered(width=width, depth=core_unit.latency + 1))
        self._multiply = any(fm.multiplier != "one" for fm in maps) or self._fix
        self._b_width = max(W, Fc + 2)
        post = []
        keep = {k: v for k, v in side.items() if k != "x"}
        if self._fix:
            keep["fix"] = signed(2)
        # with a target, the operand choice (and the correction match) gets its own
        # register before the multiplier: muxes in front of a DSP block are the slow path
        self._split = target_mhz is not None and self._multiply
        self._round_step = self._split or self._hard
        self._carried = tuple(keep)
        self._levels = []
        self._hard_product = self._split and self._hard
        single = True
        if self._split:
            post.append(data.StructLayout({"s": Fc, "b": signed(self._b_width), **keep}))
            # a product wider than the family's multiplier: registered partial products
            # (one DSP block each), then one pairwise-add level per register
            size = fam.native or _logic_chunk(fam, target_mhz)
            self._s_chunks = tuple((lo, min(lo + size - 1, Fc)) for lo in range(0, Fc, size - 1))
            self._b_chunks = chunks(self._b_width, size)
            if self._hard_product:
                post += [data.StructLayout(keep)] * 3
            single = len(self._s_chunks) * len(self._b_chunks) == 1
            if not single:
                terms = _partial_products(Signal(Fc), Signal(signed(self._b_width)),
                                          self._s_chunks, self._b_chunks)
                while len(terms) > 1:
                    self._levels.append(len(terms))
                    if not (self._hard_product and len(self._levels) == 1):
                        post.append(data.StructLayout(dict(
                            {"t{}".format(j): t.shape() for j, t in enumerate(terms)}, **keep)))
                    terms = _pairwise(terms)
        if self._multiply and not (self._hard_product and single):
            post.append(data.StructLayout({"p": signed(Fc + 1 + self._b_width), **keep}))
        if self._round_step:
            # with a target, the rounding adds registered before the clip and the choice of
            # function (in one step they were SiLU's path on the HX8K at 100 MHz, 10.7 ns)
            # (hardened: each t as wide as its value, and the clip's comparisons registered
            # before its choice: in one step they were SiLU's path on the ECP5 at 250, 6.2 ns)
            value = signed(Fc + 1 + self._b_width) if self._multiply else unsigned(Fc)
            self._t_shapes = [self._rounding(Signal(value), fm, Signal(signed(2)) if self._fix
                                             else Const(0)).shape() if self._hard
                              else signed(Fc + 1 + self._b_width + 4) for fm in maps]
            # signed (t < lo on an unsigned t was a constant comparison: a Verilator warning)
            self._t_shapes = [signed(s.width + (not s.signed)) for s in self._t_shapes]
            post.append(data.StructLayout(dict(
                {"t{}".format(k): shape for k, shape in enumerate(self._t_shapes)},
                function=fn_bits)))
            if self._hard:
                post.append(data.StructLayout(dict(function=fn_bits, **{
                    "{}{}".format(f, k): w for k, fm in enumerate(maps) for f, w in (
                        ("t", fm.output_format.width), ("lo", 1), ("hi", 1))})))
        self._out_layout = data.StructLayout({"y": unsigned(self._y_bits), "function": fn_bits})
        post.append(self._out_layout)
        self._post = StageChain("post", post, first_stage=core_unit.latency + 1)
        super().__init__({
            "i": In(stream.Signature(data.StructLayout({"x": signed(W), "function": fn_bits}))),
            "o": Out(stream.Signature(self._out_layout)),
        })

    @staticmethod
    def _rounding(value, fm, fix):
        half = (1 << (fm.shift - 1)) if fm.shift else 0
        return (value + fm.offset + (fix << fm.shift) + half) >> fm.shift

    @property
    def params(self):
        return self._params

    @property
    def plan(self):
        """The core's plan (``sigmoid_hw.model.plan``)."""
        return self._core.plan

    @property
    def functions(self):
        return self._params.functions

    @property
    def input_format(self):
        return self._params.input_format

    @property
    def output_formats(self):
        """The format of ``y`` for each function, in the order of ``functions``."""
        return self._params.output_formats

    @property
    def core(self):
        """The sigmoid core (a ``SigmoidPipeline``)."""
        return self._core

    @property
    def latency(self):
        return self._core.latency + len(self._post)

    @property
    def initiation_interval(self):
        """Clock cycles between accepted words at full rate (the core's ``reuse``)."""
        return self._core.initiation_interval

    @property
    def multiplier_width(self):
        """The core's shared multipliers' port width (``SigmoidPipeline.multiplier_width``)."""
        return self._core.multiplier_width

    @property
    def registers(self):
        """The core's register map, then the post stages'."""
        return self._core.registers + self._post.registers

    def elaborate(self, platform):
        m = Module()
        p, maps, Fc = self._params, self._params.maps, self._params.core_bits
        core = m.submodules.core = self._core
        x, fn = self.i.payload.x, self.i.payload.function
        core_w = p.core.input_format.width
        core_x = Signal(signed(core_w))
        if len(maps) == 1:      # no choice to make: no mux in front of the core's fold
            m.d.comb += core_x.eq(x << maps[0].input_shift)
        else:
            for k, fm in enumerate(maps):
                with m.If(fn == k):
                    m.d.comb += core_x.eq(x << fm.input_shift)
        m.d.comb += [core.i.valid.eq(self.i.valid), core.i.payload.eq(core_x),
                     self.i.ready.eq(core.i.ready)]

        side = data.View(data.StructLayout(self._side_fields), Signal(
            data.StructLayout(self._side_fields).size, name="side"))
        if self._side:
            fifo = m.submodules.side = self._side
            # written one clock after the core accepts the word, from registers: with the
            # write enable one LUT after the core's credit, the path into the FIFO was the
            # unit's critical path on the HX8K at 100 MHz (10.35 ns); the word's S comes
            # out of the core at least its latency later, so the FIFO never runs dry
            w_en = Signal(name="side_w_en")
            w_data = Signal(data.StructLayout(self._side_fields).size, name="side_w_data",
                            reset_less=True)
            m.d.sync += w_en.eq(self.i.valid & self.i.ready)
            if isinstance(fifo, CreditBuffer):
                m.d.comb += [fifo.i.valid.eq(w_en), fifo.i.payload.eq(w_data),
                             fifo.accepted.eq(w_en),
                             fifo.o.ready.eq(core.o.valid & core.o.ready),
                             Value.cast(side).eq(fifo.o.payload)]
            else:
                m.d.comb += [fifo.w_en.eq(w_en), fifo.w_data.eq(w_data),
                             fifo.r_en.eq(core.o.valid & core.o.ready),
                             Value.cast(side).eq(fifo.r_data)]
            written = data.View(data.StructLayout(self._side_fields), w_data)
            for name in self._side_fields:
                m.d.sync += written[name].eq(self.i.payload[name])

        def side_field(q, name, default=0):
            return q[name] if name in self._side_fields else Const(default)

        post_fields = {"s": Fc, **self._side_fields}
        post_in = stream.Signature(data.StructLayout(post_fields)).create(path=("post_in",))
        m.d.comb += [post_in.valid.eq(core.o.valid), post_in.payload.s.eq(core.o.payload),
                     core.o.ready.eq(post_in.ready)]
        for name in self._side_fields:
            m.d.comb += post_in.payload[name].eq(side[name])

        def operands(m, q):
            b = Signal(signed(self._b_width), name="b")
            m.d.comb += b.eq(1)
            for k, fm in enumerate(maps):
                with m.If(side_field(q, "function") == k):
                    if fm.multiplier == "complement":
                        m.d.comb += b.eq((1 << Fc) - q.s)
                    elif fm.multiplier == "x":
                        m.d.comb += b.eq(q.x)
            out = {"s": q.s, "b": b}
            if "function" in self._side_fields:
                out["function"] = q.function
            if self._fix:
                fix = Signal(signed(2), name="fix")
                for k, fm in enumerate(maps):
                    with m.If(side_field(q, "function") == k):
                        m.d.comb += fix.eq(_fix(m, q.x, fm.corrections))
                out["fix"] = fix
            return out

        def keep(q):
            return {name: q[name] for name in self._carried}

        def product(m, q):
            return dict(keep(q), p=q["s"] * q["b"])

        def partials(m, q):
            terms = _partial_products(q["s"], q["b"], self._s_chunks, self._b_chunks)
            return dict(keep(q), **{"t{}".format(j): t for j, t in enumerate(terms)})

        hardened = {}   # the DSP blocks' registered partial products, by term index
        stall = None
        if self._hard_product:
            stall = Signal(name="post_stall")
            m.d.comb += stall.eq(self.o.valid & ~self.o.ready)

        def blocks(m, q):
            """The partial products in MULT18X18D blocks fed from the operands' register
            (their input registers beside this one); the next two registers hold."""
            for j, (s_lo, s_hi) in enumerate(self._s_chunks):
                for b_lo, b_hi in self._b_chunks:
                    b = q["b"]
                    part = b[b_lo:b_hi].as_signed() if b_hi == len(b) else b[b_lo:b_hi]
                    product = mult18x18d(m, q["s"][s_lo:s_hi], part, enable=~stall,
                                         instance=use_primitives(platform),
                                         name="post_mult{}".format(len(hardened)))
                    hardened[len(hardened)] = product << (s_lo + b_lo)
            return keep(q)

        def hold(m, q):
            return keep(q)

        def term(q, j, first):
            return hardened[j] if first and self._hard_product else q["t{}".format(j)]

        def level(count, first=False):
            def fn(m, q):
                terms = _pairwise([term(q, j, first) for j in range(count)])
                if len(terms) == 1:
                    return dict(keep(q), p=terms[0])
                return dict(keep(q), **{"t{}".format(j): t for j, t in enumerate(terms)})
            return fn

        def multiply(m, q):
            return product(m, operands(m, q))

        def rounded(m, q):
            value = q.p if self._multiply and "p" in q.shape().members else q.s
            if self._hard_product and not self._levels:
                value = hardened[0][:Fc + 1 + self._b_width].as_signed()
            fix = q.fix if self._fix else Const(0)
            out = {}
            for k, fm in enumerate(maps):
                t = Signal(self._t_shapes[k] if self._hard else signed(len(value) + 4),
                           name="t{}".format(k))
                m.d.comb += t.eq(self._rounding(value, fm, fix))
                out["t{}".format(k)] = t
            return dict(out, function=side_field(q, "function"))

        def compare(m, q):
            return dict(function=q["function"], **{"{}{}".format(f, k): v for k, fm in enumerate(
                maps) for f, v in (("t", q["t{}".format(k)][:fm.output_format.width]),
                                   ("lo", q["t{}".format(k)] < fm.lo),
                                   ("hi", q["t{}".format(k)] > fm.hi))})

        def clip(m, q):
            y = Signal(self._y_bits, name="y")
            for k, fm in enumerate(maps):
                t = q["t{}".format(k)]
                low, high = ((q["lo{}".format(k)], q["hi{}".format(k)]) if self._hard
                             else (t < fm.lo, t > fm.hi))
                clipped = Mux(low, fm.lo, Mux(high, fm.hi, t))
                with m.If(q["function"] == k):
                    m.d.comb += y.eq(clipped[:fm.output_format.width])
            return {"y": y, "function": q["function"]}

        def round_out(m, q):
            return clip(m, rounded(m, q))

        if self._hard_product:
            stages = ([operands, blocks, hold, hold]
                      + [level(n, i == 0) for i, n in enumerate(self._levels)] + [rounded])
        elif self._levels:
            stages = [operands, partials] + [level(n) for n in self._levels] + [rounded]
        elif self._split:
            stages = [operands, product, rounded]
        elif self._round_step:
            stages = [rounded]
        else:
            stages = ([multiply] if self._multiply else []) + [round_out]
        if self._round_step:
            stages += [compare, clip] if self._hard else [clip]
        self._post.build(m, post_in, self.o, stages, stall)
        return m

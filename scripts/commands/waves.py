"""``sigmoid-hw waves``: simulate a design and write a VCD with a GTKWave save file.

The waveform comes from Amaranth's simulator (``hw.streamsim.run_stream``,
which also checks the stream rules), with random stalls on ``o.ready`` and
gaps on ``i.valid`` so that backpressure is visible. Two things are added to
what Amaranth writes:

* number views: for every fixed-point register that matters (x, a, d, each
  Horner accumulator, y0, y, ...) a ``real`` variable in the VCD scope
  ``bench.numbers`` whose name carries its format, such as ``x_SQ4_12`` or
  ``acc3_SQ-4_16``, and whose value is the number itself (raw * 2^-f);
* a GTKWave save file that opens with those signals grouped by pipeline
  stage, raw values in (signed) decimal, number views as reals, and the
  marker on the first cycle of backpressure.

``read_vcd`` is a small reader of the VCD files written here (the tests use
it to compare the waveform with the integer model).
"""

import bisect
import inspect
import math
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from hw.designs import DESIGNS, make_design
from model.fixed import FixedFormat, parse_format
from hw.streamsim import run_stream
from scripts.commands.synth import add_design_arguments, design_options_from_args

__all__ = ["NAME", "HELP", "add_arguments", "run", "VCD", "read_vcd", "WaveResult",
           "write_waves", "default_inputs", "parse_inputs", "expected_outputs", "format_name"]

NAME = "waves"
HELP = ("simulate a design and write a VCD waveform plus a GTKWave save file with the "
        "signals grouped by pipeline stage")

DEFAULT_OUT = os.path.join("build", "waves")
DEFAULT_STALL = 0.3
DEFAULT_GAP = 0.1
DEFAULT_POINTS = 256
RUNTIME_THRESHOLD = Fraction(1, 2)   # programmed into a comparator built with a runtime limit

_TOP = "bench.top"
_NUMBERS = "bench.numbers"
# Stage submodules of the sigmoid pipeline, in data-flow order (hw/pipeline.py).
_STAGE_ORDER = ("fold", "reduce", "coefficients", "horner", "output")
# Register fields holding unsigned values; every other field is two's complement.
_UNSIGNED_FIELDS = {"sign", "a", "n", "y", "y0"}
# Fields shown in every register even when the previous register has a field of that name.
_ALWAYS_SHOWN = {"acc", "addend"}


# --------------------------------------------------------------------------- VCD reading

@dataclass
class VCD:
    """A parsed value change dump.

    Members
    -------
    timescale : str
    vars : dict
        Full dotted name (``"bench.top.horner.s2.acc"``) -> ``(id, type, size)``.
    changes : dict
        Id -> list of ``(time, value)`` in time order; ``value`` is an int
        (``None`` for x or z bits) for wires, a float for reals, a str for strings.
    scopes : set
        Full dotted names of the scopes (``"bench.top.horner"``).
    """
    timescale: str = ""
    vars: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    scopes: set = field(default_factory=set)

    def children(self, scope):
        """Variables directly inside ``scope``, relative (fields dotted: ``s1.acc``)."""
        prefix = scope + "."
        out = []
        for name in self.vars:
            if name.startswith(prefix):
                rest = name[len(prefix):]
                if prefix + rest.split(".")[0] not in self.scopes:
                    out.append(rest)
        return out

    def history(self, name):
        """The ``(time, value)`` changes of variable ``name``."""
        if name not in self.vars:
            raise KeyError("no variable {!r} in the VCD".format(name))
        return self.changes.get(self.vars[name][0], [])

    def rising_edges(self, clock="bench.top.clk"):
        """Times of the rising edges of ``clock``."""
        return [t for t, v in self.history(clock) if v == 1]

    def sample(self, name, times):
        """The values ``name`` holds just before each of ``times`` (what an edge samples)."""
        hist = self.history(name)
        keys = [c[0] for c in hist]
        out = []
        for t in times:
            index = bisect.bisect_left(keys, t) - 1
            out.append(hist[index][1] if index >= 0 else None)
        return out


def _parse_value(kind, text):
    if kind == "r":
        return float(text)
    if kind == "s":
        return text
    if any(c not in "01" for c in text):
        return None
    return int(text, 2)


def read_vcd(path):
    """Read the VCD at ``path`` (as written by Amaranth or ``write_waves``) into a ``VCD``."""
    vcd = VCD()
    scopes = []
    scope_set = set()
    with open(path) as f:
        text = f.read()
    head, sep, body = text.partition("$enddefinitions $end")
    if not sep:
        raise ValueError("{} is not a VCD file (no $enddefinitions)".format(path))
    tokens = head.split()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "$scope":
            scopes.append(tokens[i + 2])
            scope_set.add(".".join(scopes))
            i = tokens.index("$end", i) + 1
        elif tok == "$upscope":
            scopes.pop()
            i += 2
        elif tok == "$var":
            end = tokens.index("$end", i)
            kind, size, ident = tokens[i + 1], int(tokens[i + 2]), tokens[i + 3]
            name = tokens[i + 4].lstrip("\\")
            vcd.vars[".".join(scopes + [name])] = (ident, kind, size)
            i = end + 1
        elif tok == "$timescale":
            end = tokens.index("$end", i)
            vcd.timescale = " ".join(tokens[i + 1:end])
            i = end + 1
        else:
            i += 1
    vcd.scopes = scope_set
    time = 0
    changes = vcd.changes
    for line in body.split("\n"):
        line = line.strip()
        if not line or line.startswith("$"):
            continue
        c = line[0]
        if c == "#":
            time = int(line[1:])
            continue
        if c in "brsBRS":
            value_text, ident = line[1:].split(" ", 1)
            value = _parse_value(c.lower(), value_text)
        else:
            ident = line[1:]
            value = None if c not in "01" else int(c)
        changes.setdefault(ident, []).append((time, value))
    return vcd


# --------------------------------------------------------------------------- layout

def format_name(signed, width, frac):
    """The RFC 41 name of a raw register, e.g. ``SQ4_12`` (``SQ(4, 12)``) or ``UQ0_16``."""
    return "{}Q{}_{}".format("S" if signed else "U", width - frac, frac)


@dataclass
class _NumberView:
    name: str          # VCD name, e.g. "x_SQ4_12"
    source: str        # full name of the raw variable
    signed: bool
    width: int
    frac: int

    def value(self, raw):
        if raw is None:
            return None
        if self.signed and raw >> (self.width - 1):
            raw -= 1 << self.width
        return math.ldexp(raw, -self.frac)


@dataclass
class _Trace:
    name: str
    alias: str
    datafmt: str = "dec"


@dataclass
class _Layout:
    groups: list = field(default_factory=list)      # (title, [_Trace])
    views: list = field(default_factory=list)       # _NumberView
    out_valid: str = ""
    out_ready: str = ""
    out_payload: str = ""
    notes: list = field(default_factory=list)


def _registers(vcd, scope):
    """Register numbers N of the ``sN`` stage registers directly in ``scope``."""
    found = []
    for rel in vcd.children(scope):
        m = re.fullmatch(r"s(\d+)", rel)
        if m:
            found.append(int(m.group(1)))
    return sorted(found)


def _leaves(vcd, scope, reg):
    """Field names of register ``sN`` (nested ones dotted, e.g. ``c.c1``), in VCD order."""
    prefix = "s{}.".format(reg)
    rels = [rel[len(prefix):] for rel in vcd.children(scope) if rel.startswith(prefix)]
    return [r for r in rels if not any(o.startswith(r + ".") for o in rels)]


def _field_fmt(leaf):
    base = leaf.rsplit(".", 1)[-1]
    return "dec" if base in _UNSIGNED_FIELDS else "signed"


def _number(layout, name, source, vcd, signed, frac):
    width = vcd.vars[source][2]
    view = _NumberView("{}_{}".format(name, format_name(signed, width, frac)), source,
                       signed, width, frac)
    layout.views.append(view)
    return _Trace("{}.{}".format(_NUMBERS, view.name), view.name, "real")


def _stream_traces(prefix, names, label):
    return [_Trace("{}.{}__valid".format(prefix, names), "{}.valid".format(label), "bin"),
            _Trace("{}.{}__ready".format(prefix, names), "{}.ready".format(label), "bin")]


def _pipeline_layout(vcd, dut):
    """Groups of the sigmoid pipeline: one per register stage, in data-flow order."""
    plan = dut.plan
    p = dut.params
    K = p.order
    fmt = p.input_format
    layout = _Layout()
    chain = [s for s in _STAGE_ORDER if "{}.{}".format(_TOP, s) in vcd.scopes]
    first = "{}.{}".format(_TOP, chain[0])
    last = "{}.{}".format(_TOP, chain[-1])
    layout.out_valid, layout.out_ready = last + ".o__valid", last + ".o__ready"
    layout.out_payload = last + ".o__payload"

    x_traces = _stream_traces(first, "i", "i") + [
        _Trace(first + ".i__payload", "x", "signed"),
        _number(layout, "x", first + ".i__payload", vcd, True, fmt.f_bits)]
    layout.groups.append(("input x {}".format(format_name(True, fmt.width, fmt.f_bits)),
                          x_traces))

    stage = 0
    prev_fields = set(["sign"]) if chain else set()
    total_regs = sum(len(_registers(vcd, "{}.{}".format(_TOP, s))) for s in chain)
    for scope_name in chain:
        scope = "{}.{}".format(_TOP, scope_name)
        regs = _registers(vcd, scope)
        for reg in regs:
            stage += 1
            leaves = _leaves(vcd, scope, reg)
            if stage == total_regs:
                break  # the last register drives o: shown as the output group
            if scope_name == "horner" and reg == K and vcd.vars.get(scope + ".y0"):
                layout.groups.append((
                    "y0 bit-pattern reference (comb.)",
                    [_Trace(scope + ".n", "n", "dec"), _Trace(scope + ".y0", "y0", "dec"),
                     _number(layout, "y0", scope + ".y0", vcd, False, plan.y0_frac)]))
            shown = [f for f in leaves if f not in prev_fields or f in _ALWAYS_SHOWN]
            prev_fields = set(leaves)
            reg_name = "{}.s{}".format(scope, reg)
            # every register holds while the pipeline's one stall signal is high
            traces = [_Trace(reg_name + "_valid", "valid", "bin"),
                      _Trace(_TOP + ".stall", "stall", "bin")]
            title_fields = []
            for leaf in shown:
                source = "{}.{}".format(reg_name, leaf)
                label = leaf.rsplit(".", 1)[-1]
                if scope_name == "horner" and leaf == "acc":
                    label = "acc{}".format(K - reg + 1)
                traces.append(_Trace(source, label, _field_fmt(leaf)))
                title_fields.append(label)
                if scope_name == "fold" and leaf == "a":
                    traces.append(_number(layout, "a", source, vcd, False, fmt.f_bits))
                elif scope_name == "reduce" and leaf == "d":
                    traces.append(_number(layout, "d", source, vcd, True, plan.d_frac))
                elif scope_name == "horner" and leaf == "acc":
                    k = K - reg + 1
                    traces.append(_number(layout, label, source, vcd, True, p.acc_frac[k]))
                elif scope_name == "coefficients" and re.fullmatch(r"c\.c\d+", leaf):
                    k = int(leaf[3:])
                    traces.append(_number(layout, "c{}".format(k), source, vcd, True,
                                          plan.derived["targets"][k]))
            title = "{} {}: {}".format(stage, scope_name, ", ".join(
                f for f in title_fields if f != "addend"))
            if scope_name == "horner" and reg == 1:
                title += " (load)"
            layout.groups.append((title, traces))

    y_traces = _stream_traces(last, "o", "o") + [
        _Trace(layout.out_payload, "y", "dec"),
        _number(layout, "y", layout.out_payload, vcd, False, p.output_bits)]
    layout.groups.append(("{} output y UQ0_{}".format(stage, p.output_bits), y_traces))
    return layout


def _comparator_layout(vcd, dut):
    """Groups of the threshold comparator: input x, the decision register."""
    fmt = dut.input_format
    layout = _Layout()
    layout.out_valid, layout.out_ready = _TOP + ".o__valid", _TOP + ".o__ready"
    layout.out_payload = _TOP + ".o__payload"
    layout.groups.append(("input x {}".format(format_name(True, fmt.width, fmt.f_bits)),
                          _stream_traces(_TOP, "i", "i") + [
                              _Trace(_TOP + ".i__payload", "x", "signed"),
                              _number(layout, "x", _TOP + ".i__payload", vcd, True,
                                      fmt.f_bits)]))
    decision = _stream_traces(_TOP, "o", "o") + [_Trace(_TOP + ".o__payload", "sigmoid(x)>t",
                                                        "bin")]
    if _TOP + ".limit" in vcd.vars:
        decision.append(_Trace(_TOP + ".limit", "limit L", "signed"))
        layout.notes.append("runtime limit port programmed with L = {} (t = {})".format(
            _runtime_limit(dut), RUNTIME_THRESHOLD))
    else:
        layout.notes.append("t = {}, limit L = {} raw (x >= {:.6g})".format(
            dut.threshold, dut.limit_value, float(Fraction(dut.limit_value, 1 << fmt.f_bits))))
    layout.groups.append(("1 decision x >= L", decision))
    return layout


def _runtime_limit(dut):
    from model.threshold import threshold_limit
    return threshold_limit(RUNTIME_THRESHOLD, dut.input_format)


def _generic_layout(vcd, dut):
    """Any other stream design: its ports, then every ``sN`` register of every scope."""
    layout = _Layout()
    layout.out_valid, layout.out_ready = _TOP + ".o__valid", _TOP + ".o__ready"
    layout.out_payload = _TOP + ".o__payload"
    layout.groups.append(("input", _stream_traces(_TOP, "i", "i") + [
        _Trace(_TOP + ".i__payload", "x", "signed")]))
    for scope in sorted(vcd.scopes):
        for reg in _registers(vcd, scope):
            reg_name = "{}.s{}".format(scope, reg)
            traces = [_Trace(reg_name + "_valid", "valid", "bin")]
            if "{}.stall".format(scope) in vcd.vars:
                traces.append(_Trace("{}.stall".format(scope), "stall", "bin"))
            traces += [_Trace("{}.{}".format(reg_name, leaf), leaf, _field_fmt(leaf))
                       for leaf in _leaves(vcd, scope, reg)]
            layout.groups.append(("{} s{}".format(scope[len(_TOP) + 1:], reg), traces))
    layout.groups.append(("output", _stream_traces(_TOP, "o", "o") + [
        _Trace(layout.out_payload, "y", "dec")]))
    return layout


def _layout_for(vcd, dut):
    if hasattr(dut, "plan") and hasattr(dut, "params"):
        return _pipeline_layout(vcd, dut)
    if hasattr(dut, "limit_value") and hasattr(dut, "input_format"):
        return _comparator_layout(vcd, dut)
    return _generic_layout(vcd, dut)


# --------------------------------------------------------------------------- VCD rewriting

def _new_ids(taken, count):
    out = []
    n = 0
    while len(out) < count:
        ident = "~n{}".format(n)
        n += 1
        if ident not in taken:
            out.append(ident)
    return out


def _add_number_views(raw_path, out_path, vcd, views):
    """Copy the VCD at ``raw_path`` to ``out_path`` with a ``real`` variable per view."""
    ids = _new_ids({v[0] for v in vcd.vars.values()}, len(views))
    by_source = {}
    for ident, view in zip(ids, views):
        by_source.setdefault(vcd.vars[view.source][0], []).append((ident, view))
    scope_lines = ["$scope module numbers $end"]
    scope_lines += ["$var real 64 {} {} $end".format(ident, view.name)
                    for ident, view in zip(ids, views)]
    scope_lines.append("$upscope $end")
    last = {}
    with open(raw_path) as src, open(out_path, "w") as dst:
        in_body = False
        inserted = False
        for line in src:
            dst.write(line)
            if not in_body:
                if not inserted and line.strip() == "$scope module bench $end":
                    dst.write("\n".join(scope_lines) + "\n")
                    inserted = True
                if line.strip().startswith("$enddefinitions"):
                    in_body = True
                continue
            stripped = line.strip()
            if not stripped or stripped[0] in "#$":
                continue
            c = stripped[0]
            if c in "bB":
                value_text, ident = stripped[1:].split(" ", 1)
                raw = _parse_value("b", value_text)
            elif c in "01xzXZ":
                ident = stripped[1:]
                raw = int(c) if c in "01" else None
            else:
                continue
            for new_id, view in by_source.get(ident, ()):
                value = view.value(raw)
                if value is not None and last.get(new_id) != value:
                    dst.write("r{!r} {}\n".format(value, new_id))
                    last[new_id] = value
    if not inserted:
        raise ValueError("unexpected VCD layout in {}: no 'bench' scope".format(raw_path))


# --------------------------------------------------------------------------- GTKWave save file

def _gtkw_name(vcd, name):
    """The name GTKWave knows a VCD variable by (as Amaranth's own save files write it)."""
    _, kind, size = vcd.vars[name]
    # Amaranth's VCD names struct fields "\s1.acc" inside the stage scope.
    base = name
    for s in sorted(vcd.scopes, key=len, reverse=True):
        if name.startswith(s + "."):
            rel = name[len(s) + 1:]
            base = "{}.{}".format(s, "\\" + rel if "." in rel else rel)
            break
    if kind == "real" or size == 1:
        return base
    return "{}[{}:0]".format(base, size - 1)


def _write_gtkw(path, vcd_path, vcd, layout, marker, title):
    from vcd.gtkw import GTKWSave
    with open(path, "w") as f:
        save = GTKWSave(f)
        save.comment(title, "raw registers in (signed) decimal; bench.numbers.* are the "
                     "same registers as real numbers (raw * 2^-f, format in the name)")
        # relative to the save file: the pair can be moved or copied together
        save.dumpfile(os.path.relpath(vcd_path, os.path.dirname(os.path.abspath(path))),
                      abspath=False)
        save.savefile(os.path.basename(path), abspath=False)
        save.size(1600, 1000)
        save.signals_width(330)
        save.sst_expanded(False)
        save.zoom_markers(-32.0, marker if marker is not None else -1)
        save.timestart(0)
        save.trace("bench.top.clk", "clk", datafmt="bin")
        for note in layout.notes:
            save.blank(note)
        for group_title, traces in layout.groups:
            with save.group(group_title):
                for t in traces:
                    datafmt = t.datafmt
                    if vcd.vars[t.name][2] > 64 and datafmt in ("dec", "signed"):
                        datafmt = "hex"   # GTKWave shows decimal up to 64 bits only
                    save.trace(_gtkw_name(vcd, t.name), alias=t.alias, datafmt=datafmt)


# --------------------------------------------------------------------------- the run

@dataclass
class WaveResult:
    """What ``write_waves`` produced.

    Members
    -------
    vcd, gtkw : str
        Paths written.
    outputs : list of int
        Results collected from the output stream, in order.
    cycles : int
        Clock cycles simulated.
    stall_cycles : int
        Cycles in which ``o.valid`` was high and ``o.ready`` low (backpressure).
    first_stall : int or None
        Time (VCD units) of the first such edge; the save file's marker.
    groups : list of (str, list of str)
        Group titles and the full VCD names of their traces.
    views : dict
        Number view name -> full name of the raw register it shows.
    """
    vcd: str
    gtkw: str
    outputs: list
    cycles: int
    stall_cycles: int
    first_stall: object
    groups: list
    views: dict


def default_inputs(input_format, points=DEFAULT_POINTS):
    """``points`` raw inputs evenly spaced over the whole format (a sweep of the curve)."""
    count = 1 << input_format.width
    step = max(1, count // points)
    return list(range(input_format.min, input_format.max + 1, step))


def _to_raw(value, text, input_format):
    if not (input_format.min_value <= value <= input_format.max_value):
        raise ValueError("Input {} is outside {} [{}, {}]".format(
            text, input_format, float(input_format.min_value), float(input_format.max_value)))
    return int(input_format.from_float(value))


def parse_inputs(text, input_format):
    """``"-1,0,0.5"`` -> raw values of ``input_format`` (rounded to nearest, ties to even)."""
    values = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            value = Fraction(item)
        except (ValueError, ZeroDivisionError):
            raise ValueError("Inputs must be numbers separated by commas, not {!r}"
                             .format(item)) from None
        values.append(_to_raw(value, item, input_format))
    if not values:
        raise ValueError("Inputs must name at least one number, not {!r}".format(text))
    return values


def range_inputs(start, stop, step, input_format):
    """Raw values for x = start, start + step, ... < stop (each rounded to the format)."""
    start, stop, step = Fraction(start), Fraction(stop), Fraction(step)
    if step <= 0:
        raise ValueError("Range step must be positive, not {}".format(step))
    count = math.ceil((stop - start) / step)
    if count <= 0:
        raise ValueError("Range {} .. {} is empty".format(start, stop))
    if count > 100000:
        raise ValueError("Range gives {} inputs; at most 100000 make a waveform".format(count))
    return [_to_raw(start + k * step, str(start + k * step), input_format)
            for k in range(count)]


def expected_outputs(dut, raw_inputs):
    """The integer model's outputs for ``raw_inputs`` (pipeline or comparator)."""
    raw = np.asarray(raw_inputs, dtype=np.int64)
    if hasattr(dut, "params"):
        from model.pipeline import sigmoid_fixed
        return [int(v) for v in sigmoid_fixed(raw, dut.params)]
    if hasattr(dut, "limit_value"):
        limit = dut.limit_value if dut.limit_value is not None else _runtime_limit(dut)
        return [int(v >= limit) for v in raw]
    return None


def write_waves(dut, raw_inputs, out_dir, name, *, stall=DEFAULT_STALL, gap=DEFAULT_GAP,
                seed=1):
    """Simulate ``dut`` on ``raw_inputs`` and write ``NAME.vcd`` and ``NAME.gtkw`` in ``out_dir``.

    Parameters
    ----------
    dut : wiring.Component
        A design with stream ports ``i`` and ``o`` (``hw.designs``).
    raw_inputs : list of int
    out_dir, name : str
    stall, gap : float
        Probabilities of ``o.ready`` low and of ``i.valid`` low in a cycle.
    seed : int
        Seed of the stall and gap pattern.

    Returns
    -------
    WaveResult
    """
    for label, value in (("stall", stall), ("gap", gap)):
        if not (0 <= value < 1):
            raise ValueError("{} must be a probability in [0, 1), not {!r}".format(label, value))
    os.makedirs(out_dir, exist_ok=True)
    vcd_path = os.path.join(out_dir, name + ".vcd")
    gtkw_path = os.path.join(out_dir, name + ".gtkw")
    raw_path = vcd_path + ".tmp"
    try:
        extra = None
        if getattr(dut, "limit_value", 0) is None:
            limit = _runtime_limit(dut)

            async def extra(ctx):
                ctx.set(dut.limit, limit)
        outputs, cycles = run_stream(dut, raw_inputs, stall=stall, gap=gap, seed=seed,
                                     vcd=raw_path, extra=extra)
        raw_vcd = read_vcd(raw_path)
        layout = _layout_for(raw_vcd, dut)
        _add_number_views(raw_path, vcd_path, raw_vcd, layout.views)
    finally:
        if os.path.exists(raw_path):
            os.remove(raw_path)
    vcd = read_vcd(vcd_path)
    edges = vcd.rising_edges()
    valid = vcd.sample(layout.out_valid, edges)
    ready = vcd.sample(layout.out_ready, edges)
    stalls = [t for t, v, r in zip(edges, valid, ready) if v == 1 and r == 0]
    title = "sigmoid-hw waves: {} on {} inputs, o.ready low with probability {}, seed {}".format(
        name, len(raw_inputs), stall, seed)
    _write_gtkw(gtkw_path, vcd_path, vcd, layout, stalls[0] if stalls else None, title)
    return WaveResult(
        vcd=vcd_path, gtkw=gtkw_path, outputs=list(outputs), cycles=cycles,
        stall_cycles=len(stalls), first_stall=stalls[0] if stalls else None,
        groups=[(title_, [t.name for t in traces]) for title_, traces in layout.groups],
        views={v.name: v.source for v in layout.views})


# --------------------------------------------------------------------------- command line

def add_arguments(parser):
    add_design_arguments(parser)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--inputs", default=None, metavar="LIST",
                        help="comma-separated x values, e.g. --inputs=-1,0,0.5 (rounded to "
                             "the input format)")
    source.add_argument("--range", nargs=3, default=None, metavar=("A", "B", "STEP"),
                        help="x from A up to (not including) B in steps of STEP")
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help="output folder (default {})".format(DEFAULT_OUT))
    parser.add_argument("--stall", type=float, default=DEFAULT_STALL,
                        help="probability that o.ready is low in a cycle (default {})"
                        .format(DEFAULT_STALL))
    parser.add_argument("--gap", type=float, default=DEFAULT_GAP,
                        help="probability that i.valid is low in a cycle (default {})"
                        .format(DEFAULT_GAP))
    parser.add_argument("--seed", type=int, default=1, help="seed of the stalls and gaps")


def _format_option(args):
    """The input format the design will have (given, or its factory's default)."""
    if args.input_format is not None:
        return parse_format(args.input_format)
    default = inspect.signature(DESIGNS[args.design]).parameters.get("input_format")
    if default is None or not isinstance(default.default, FixedFormat):
        raise ValueError("Design {!r} has no input format to read inputs in".format(args.design))
    return default.default


def run(args):
    # Parse the inputs before building the design: a bad input leaves no unused component.
    fmt = _format_option(args)
    if args.inputs is not None:
        raw = parse_inputs(args.inputs, fmt)
        what = "{} given".format(len(raw))
    elif args.range is not None:
        raw = range_inputs(*args.range, fmt)
        what = "{} (x from {} to {} step {})".format(len(raw), *args.range)
    else:
        raw = default_inputs(fmt)
        what = "{} (x from {:g} to {:g} step {:g}, the whole range)".format(
            len(raw), fmt.to_float(raw[0]), fmt.to_float(raw[-1]),
            fmt.to_float(raw[1] - raw[0]) if len(raw) > 1 else 0)
    component = make_design(args.design, **design_options_from_args(args))
    result = write_waves(component, raw, args.out, args.design, stall=args.stall,
                         gap=args.gap, seed=args.seed)
    expected = expected_outputs(component, raw)
    if hasattr(component, "params"):
        describe = component.params.describe()
    elif getattr(component, "limit_value", 0) is None:
        describe = "{} input, runtime limit (programmed for t = {})".format(fmt, RUNTIME_THRESHOLD)
    else:
        describe = "{} input, threshold {}".format(fmt, getattr(component, "threshold", "?"))
    latency = getattr(component, "latency", "?")
    print("design     {}: {}, latency {} cycle{}".format(
        args.design, describe, latency, "" if latency == 1 else "s"))
    print("inputs     {}".format(what))
    print("stream     o.ready low with probability {}, i.valid gaps {}, seed {}".format(
        args.stall, args.gap, args.seed))
    if expected is None:
        print("outputs    {} collected in {} cycles".format(len(result.outputs), result.cycles))
    else:
        same = sum(a == b for a, b in zip(result.outputs, expected))
        status = "all equal" if same == len(expected) == len(result.outputs) else "MISMATCH:"
        print("outputs    {} collected in {} cycles, {} the model ({}/{})".format(
            len(result.outputs), result.cycles, status, same, len(expected)))
    print("backpress. {} cycles with o.valid high and o.ready low{}".format(
        result.stall_cycles, "" if result.first_stall is None else
        " (first at t = {:g} us: the save file's marker)".format(result.first_stall / 1e9)))
    print("groups     {} groups, {} traces, {} number views ({})".format(
        len(result.groups), sum(len(t) for _, t in result.groups), len(result.views),
        ", ".join(result.views)))
    for path in (result.vcd, result.gtkw):
        print("wrote      {} ({:,} bytes)".format(path, os.path.getsize(path)))
    print("open with  gtkwave {}".format(result.gtkw))
    if expected is not None and result.outputs != expected:
        return 1
    return 0

"""Waveforms of a design: a VCD with real-valued number views and a GTKWave save file.

The waveform comes from Amaranth's simulator (``sigmoid_hw.hw.streamsim.run_stream``,
which also checks the stream rules), with random stalls on ``o.ready`` and
gaps on ``i.valid`` so that backpressure is visible. What is shown comes
from the design's register map (``component.registers``,
``sigmoid_hw.hw.chain.Register``: stage, group, field name, signedness, fraction bits)
and from its registry record (``sigmoid_hw.hw.designs``: its kind), never from the
signal names:

* one group per register stage, in pipeline order, titled with the stage
  number, the stage component and the fields that stage computes (a field
  with the same name and format as in the register before it is the same
  value passed on, and is not repeated); a field recomputed in several
  stages of one component is numbered down to 0 in pipeline order, the way
  Horner's rule numbers its accumulators (``acc5`` .. ``acc0``);
* for every fixed-point field a ``real`` variable in the VCD scope
  ``bench.numbers`` whose name carries its format, such as ``x_SQ4_12`` or
  ``acc3_SQ-4_16``, and whose value is the number itself (raw * 2^-f, to
  16 significant digits);
* a GTKWave save file with those groups, raw values in (signed) decimal,
  number views as reals, and the marker on the first cycle of backpressure.

Where a register lives in the VCD follows from Amaranth's naming of the
hierarchy: the simulator calls the design ``bench.top``; a pipeline's stage
components are its submodules, named after their group (``component.stages``),
and each signal keeps its own name there. A name that is not in the VCD is
an error, not a missing trace.
"""

import os
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from sigmoid_hw.hw.designs import Design, design
from sigmoid_hw.hw.streamsim import run_stream
from sigmoid_hw.model.baselines import INPUT_FORMAT, OUTPUT_FORMAT
from sigmoid_hw.model.threshold import threshold_limit
from sigmoid_hw.model.validate import check_real
from sigmoid_hw.report.unit_waves import unit_expected_outputs, unit_layout
from sigmoid_hw.report.vcd import read_vcd, write_with_views
from sigmoid_hw.report.wave_traces import (NUMBERS, TOP, Layout, NumberView, Trace, format_name,
                                TraceBuilder as _Builder, datafmt as _datafmt,
                                format_of as _format_name)

__all__ = ["Trace", "NumberView", "Layout", "WaveResult", "format_name", "io_formats",
           "wave_layout", "write_gtkw", "write_waves", "runtime_limit", "expected_outputs", "TOP",
           "NUMBERS", "RUNTIME_THRESHOLD"]

RUNTIME_THRESHOLD = Fraction(1, 2)   # programmed into a comparator built with a runtime limit


def io_formats(record, component):
    """``(input format, output format)`` of a design, by its registry kind.

    The output format is ``None`` for the comparator (a 1-bit decision); the
    comparison designs (kind ``"baseline"``) say theirs (UQ(0,16), or SQ(1,15)
    for tanh).
    """
    if record.kind in ("pipeline", "function", "baseline", "method"):
        return component.input_format, component.output_format
    if record.kind == "comparator":
        return component.input_format, None
    return INPUT_FORMAT, OUTPUT_FORMAT


def _label(register, fields):
    """A field's short name: its last path part, unless another field of the register shares it."""
    leaf = register.name.rsplit(".", 1)[-1]
    clash = sum(r.name.rsplit(".", 1)[-1] == leaf for r in fields) > 1
    return register.name.replace(".", "_") if clash else leaf


def _rows(registers, latency):
    """``[(stage, valid register, [(label, field register)])]`` of the fields each stage shows.

    The last register, which drives ``o``, is left to the output group.
    """
    rows = []
    previous = {}
    for stage in range(1, latency):
        here = [r for r in registers if r.stage == stage]
        valid = [r for r in here if r.name == "valid"]
        if len(valid) != 1:
            raise ValueError("the register map has {} valid bits for stage {}, not 1"
                             .format(len(valid), stage))
        fields = [r for r in here if r.name != "valid"]
        labelled = [(_label(r, fields), r) for r in fields]
        formats = {label: (len(r.value), r.signed, r.f_bits) for label, r in labelled}
        rows.append((stage, valid[0], [(label, r) for label, r in labelled
                                       if previous.get(label) != formats[label]]))
        previous = formats
    # a label shown in several stages of one group: number it down to 0
    counts = Counter((r.group, label) for _, _, shown in rows for label, r in shown)
    seen = Counter()
    numbered = []
    for stage, valid, shown in rows:
        out = []
        for label, r in shown:
            key = (r.group, label)
            if counts[key] > 1:
                out.append(("{}{}".format(label, counts[key] - 1 - seen[key]), r))
                seen[key] += 1
            else:
                out.append((label, r))
        numbered.append((stage, valid, out))
    return numbered


def _pipeline_layout(vcd, component, fmt_in, fmt_out):
    """A pipeline: input x, one group per register stage, output y."""
    b = _Builder(vcd, component)
    stages = component.stages
    scopes = {name: TOP + (name,) for name, _ in stages}
    (first_name, first), (last_name, last) = stages[0], stages[-1]
    b.layout.groups.append(("input x {}".format(_format_name(fmt_in)),
                            b.port(scopes[first_name], first.i, "i", fmt_in, "x")))
    stall = b.name(TOP, component.stall)
    # with a target the last cycles are the credit buffer's FIFO (no stage registers): every
    # mapped register is then shown, the output group shows the FIFO's output
    mapped = max((r.stage for r in component.registers), default=component.latency)
    shown_up_to = component.latency if mapped == component.latency else mapped + 1
    for stage, valid, shown in _rows(component.registers, shown_up_to):
        scope = scopes[valid.group]
        # every register holds while the pipeline's one stall signal is high
        traces = [b.trace(b.name(scope, valid.signal), "valid", "bin"),
                  b.trace(stall, "stall", "bin")]
        for label, r in shown:
            source = b.name(scope, r.signal, r.name)
            traces.append(b.trace(source, label, _datafmt(len(r.value), r.signed)))
            if r.f_bits is not None:
                traces.append(b.number(label, source, r.signed, r.f_bits, stage))
        title = "{} {}".format(stage, valid.group)
        if shown:
            title += ": " + ", ".join(label for label, _ in shown)
        b.layout.groups.append((title, traces))
    out = b.port(scopes[last_name], last.o, "o", fmt_out, "y")
    b.layout.out_valid, b.layout.out_ready = out[0].name, out[1].name
    b.layout.groups.append(("{} output y {}".format(component.latency,
                                                    _format_name(fmt_out)), out))
    return b.layout


def _comparator_layout(vcd, component, fmt, _):
    """The threshold comparator: input x, the decision register (and the limit port)."""
    b = _Builder(vcd, component)
    b.layout.groups.append(("input x {}".format(_format_name(fmt)),
                            b.port(TOP, component.i, "i", fmt, "x")))
    decision = b.port(TOP, component.o, "o", None, "sigmoid(x)>t")
    b.layout.out_valid, b.layout.out_ready = decision[0].name, decision[1].name
    if component.limit_value is None:
        decision.append(b.trace(b.name(TOP, component.limit), "limit L", "signed"))
        b.layout.notes.append("runtime limit port programmed with L = {} (t = {})".format(
            runtime_limit(component), RUNTIME_THRESHOLD))
    else:
        b.layout.notes.append("t = {}, limit L = {} raw (x >= {:.6g})".format(
            component.threshold, component.limit_value,
            float(Fraction(component.limit_value, 1 << fmt.f_bits))))
    b.layout.groups.append(("1 decision x >= L", decision))
    return b.layout


def _baseline_layout(vcd, component, fmt_in, fmt_out):
    """A comparison design: its ports (SQ(4,12) -> UQ(0,16))."""
    b = _Builder(vcd, component)
    b.layout.groups.append(("input x {}".format(_format_name(fmt_in)),
                            b.port(TOP, component.i, "i", fmt_in, "x")))
    out = b.port(TOP, component.o, "o", fmt_out, "y")
    b.layout.out_valid, b.layout.out_ready = out[0].name, out[1].name
    b.layout.groups.append(("{} output y {}".format(component.latency,
                                                    _format_name(fmt_out)), out))
    return b.layout


# tanh, sigmoid' and SiLU (kind "function"): their ports, like a comparison design's
_LAYOUTS = {"pipeline": _pipeline_layout, "comparator": _comparator_layout,
            "baseline": _baseline_layout, "function": _baseline_layout,
            "method": _baseline_layout}


def wave_layout(record, vcd, component):
    """The ``Layout`` of ``component``, made from the design ``record``, in ``vcd``."""
    if record.kind == "unit":    # struct words: sigmoid_hw.report.unit_waves
        return unit_layout(vcd, component)
    return _LAYOUTS[record.kind](vcd, component, *io_formats(record, component))


def write_gtkw(path, vcd_path, vcd, layout, marker, title):
    """Write the GTKWave save file of ``layout`` (for ``vcd_path``, read as ``vcd``)."""
    from vcd.gtkw import GTKWSave
    names = {".".join(NUMBERS + (v.name,)): v.name for v in layout.views}
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
        save.trace(vcd.var(".".join(TOP + ("clk",))).gtkw_name, "clk", datafmt="bin")
        for note in layout.notes:
            save.blank(note)
        for group_title, traces in layout.groups:
            with save.group(group_title):
                for t in traces:
                    if t.name in names:
                        save.trace(t.name, alias=t.alias, datafmt=t.datafmt)
                        continue
                    var = vcd.var(t.name)
                    datafmt = t.datafmt
                    if var.size > 64 and datafmt in ("dec", "signed"):
                        datafmt = "hex"   # GTKWave shows decimal up to 64 bits only
                    save.trace(var.gtkw_name, alias=t.alias, datafmt=datafmt)


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


def _record(record):
    return record if isinstance(record, Design) else design(record)


def runtime_limit(component):
    """The limit programmed into a comparator with a runtime limit (for t = 1/2)."""
    return threshold_limit(RUNTIME_THRESHOLD, component.input_format)


def _programmable(record, component):
    return record.kind == "comparator" and component.limit_value is None


def expected_outputs(record, component, raw_inputs):
    """The design's bit-exact model on ``raw_inputs`` (its registry record's ``model``)."""
    record = _record(record)
    if record.kind == "unit":
        return unit_expected_outputs(record, component, raw_inputs)
    limit = {"limit": runtime_limit(component)} if _programmable(record, component) else {}
    return [int(v) for v in record.model(component, raw_inputs, **limit)]


def write_waves(record, component, raw_inputs, out_dir, name, *, stall=0.25, gap=0.1, seed=1):
    """Simulate ``component`` on ``raw_inputs``; write ``NAME.vcd`` and ``NAME.gtkw``.

    Parameters
    ----------
    record : Design or str
        The registry record (or name) of the design ``component`` is made from.
    component : wiring.Component
        A fresh component of that design, with stream ports ``i`` and ``o``.
    raw_inputs : list of int
    out_dir, name : str
        The folder and the file name (without extension).
    stall, gap : float
        Probabilities of ``o.ready`` low and of ``i.valid`` low in a cycle, in [0, 1).
    seed : int
        Seed of the stall and gap pattern.

    Returns
    -------
    WaveResult
    """
    record = _record(record)
    for label, value in (("stall", stall), ("gap", gap)):
        check_real(label, value, 0, 1, open_hi=True)
    os.makedirs(out_dir, exist_ok=True)
    vcd_path = os.path.join(out_dir, name + ".vcd")
    gtkw_path = os.path.join(out_dir, name + ".gtkw")
    raw_path = vcd_path + ".tmp"
    extra = None
    if _programmable(record, component):
        limit = runtime_limit(component)

        async def extra(ctx):
            ctx.set(component.limit, limit)
    try:
        outputs, cycles = run_stream(component, raw_inputs, stall=stall, gap=gap, seed=seed,
                                     vcd=raw_path, extra=extra)
        vcd = read_vcd(raw_path)
        layout = wave_layout(record, vcd, component)
        write_with_views(raw_path, vcd_path, layout.views, NUMBERS)
    finally:
        if os.path.exists(raw_path):
            os.remove(raw_path)
    edges = vcd.rising_edges(".".join(TOP + ("clk",)))
    stalls = [t for t, v, r in zip(edges, vcd.sample(layout.out_valid, edges),
                                   vcd.sample(layout.out_ready, edges)) if v == 1 and r == 0]
    first = stalls[0] if stalls else None
    title = "sigmoid-hw waves: {} on {} inputs, o.ready low with probability {}, seed {}".format(
        name, len(raw_inputs), stall, seed)
    write_gtkw(gtkw_path, vcd_path, vcd, layout, first, title)
    return WaveResult(
        vcd=vcd_path, gtkw=gtkw_path, outputs=list(outputs), cycles=cycles,
        stall_cycles=len(stalls), first_stall=first,
        groups=[(group, [t.name for t in traces]) for group, traces in layout.groups],
        views={v.name: v.source for v in layout.views})

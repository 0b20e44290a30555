"""Waveforms of a unit (``ActivationUnit``, registry kind ``"unit"``) for ``sigmoid_hw.report.waves``.

A unit's words are structs: ``{x, function}`` in, ``{y, function}`` out, ``y``
in the format of the function the word asked for. The waveform shows the
ports with ``x`` as a number and ``y`` once per function's format.
"""

from sigmoid_hw.report.wave_traces import TOP, TraceBuilder, datafmt, format_of

__all__ = ["unit_layout", "unit_inputs", "unit_expected_outputs"]


def unit_inputs(component, raw_inputs):
    """A unit's input words: every x of ``raw_inputs`` for each of its functions in turn."""
    return [{"x": int(x), "function": f}
            for f in range(len(component.functions)) for x in raw_inputs]


def unit_expected_outputs(record, component, raw_inputs):
    """The unit's model on ``{x, function}`` words, as ``{y, function}`` words."""
    x = [word["x"] for word in raw_inputs]
    index = [word["function"] for word in raw_inputs]
    y = record.model(component, x, function=index)
    # the y field holds every function's bits (a signed y as two's complement)
    mask = (1 << component.o.payload.shape()["y"].shape.width) - 1
    return [{"y": int(v) & mask, "function": f} for v, f in zip(y, index)]


def unit_layout(vcd, component):
    """A unit (``ActivationUnit``): x and the function index in, y and the index out.

    ``y`` has one format per function; its number views are labelled with the
    function they are read as (``y_sigmoid_UQ0_16`` is meaningful while the
    output's ``function`` is that of sigmoid).
    """
    b = TraceBuilder(vcd, component)

    def full(value, field=None):
        return b.name(TOP, value, field)

    fmt_in = component.input_format
    x = full(component.i.payload, "x")
    b.layout.groups.append(("input x {} and function".format(format_of(fmt_in)), [
        b.trace(full(component.i.valid), "i.valid", "bin"),
        b.trace(full(component.i.ready), "i.ready", "bin"),
        b.trace(x, "x", datafmt(vcd.var(x).size, fmt_in.signed)),
        b.number("x", x, fmt_in.signed, fmt_in.f_bits),
        b.trace(full(component.i.payload, "function"), "function", "dec")]))
    y = full(component.o.payload, "y")
    out = [b.trace(full(component.o.valid), "o.valid", "bin"),
           b.trace(full(component.o.ready), "o.ready", "bin"),
           b.trace(full(component.o.payload, "function"), "function", "dec"),
           b.trace(y, "y", "dec")]
    for name, fmt in zip(component.functions, component.output_formats):
        out.append(b.number("y_" + name, y, fmt.signed, fmt.f_bits))
    b.layout.out_valid, b.layout.out_ready = out[0].name, out[1].name
    b.layout.notes.append("function index: " + ", ".join(
        "{} = {}".format(k, name) for k, name in enumerate(component.functions)))
    b.layout.groups.append(("{} output y and function".format(component.latency), out))
    return b.layout

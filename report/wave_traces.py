"""The pieces a waveform's save file is made of, and the names signals have in the dump.

``sigmoid_hw.report.waves`` lays out a design's waveform from these: ``Trace`` (a line
of the save file), ``NumberView`` (a ``real`` variable showing a raw
register as its number), ``Layout`` (the groups, views and output
handshake) and ``TraceBuilder``, which makes them and checks every name
against the VCD.

A signal's name in the dump is the simulator's, not always the signal's own:
where two signals of one module share a name, one of them gets a suffix
(``i__payload$5``). A wrapper such as ``TanhPipeline`` holds its core's port
signals beside its own, and the core's took the plain names, so a trace found
by the signal's own name showed the core's 17-bit ``{x, function}`` word as
x. ``top_names`` asks the simulator's name allocation instead.
"""

import math
from dataclasses import dataclass, field

from amaranth.hdl import Fragment, Value

__all__ = ["TOP", "NUMBERS", "Trace", "NumberView", "Layout", "TraceBuilder", "format_name",
           "format_of", "scope_name", "datafmt", "top_names"]

TOP = ("bench", "top")          # the design under test in Amaranth's simulator dumps
NUMBERS = ("bench", "numbers")  # the scope of the number views


def format_name(signed, width, frac):
    """The RFC 41 name of a raw register, e.g. ``SQ4_12`` (``SQ(4, 12)``) or ``UQ0_16``."""
    return "{}Q{}_{}".format("S" if signed else "U", width - frac, frac)


def format_of(fmt):
    """``format_name`` of a ``sigmoid_hw.model.fixed`` format."""
    return format_name(fmt.signed, fmt.width, fmt.f_bits)


@dataclass(frozen=True)
class Trace:
    """One line of the save file: a VCD variable (full name), its alias and display format."""
    name: str
    alias: str
    datafmt: str = "dec"


@dataclass(frozen=True)
class NumberView:
    """A ``real`` variable showing the number a raw register holds (``sigmoid_hw.report.vcd``)."""
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
class Layout:
    """What the save file shows: ``groups`` of traces, number ``views``, the output handshake."""
    groups: list = field(default_factory=list)      # (title, [Trace])
    views: list = field(default_factory=list)       # NumberView
    out_valid: str = ""
    out_ready: str = ""
    notes: list = field(default_factory=list)


def scope_name(scope, value, path=None):
    """Full VCD name of ``value``'s signal in ``scope`` (its field ``path``, if given)."""
    parts = scope + (Value.cast(value).name,)
    return ".".join(parts + ((path,) if path else ()))


def datafmt(width, signed):
    """GTKWave's display format of a raw register."""
    return "bin" if width == 1 else "signed" if signed else "dec"


def top_names(component):
    """``{signal: name}`` of the top scope, as the simulator names them in its dump."""
    design = Fragment.get(component, None).prepare()
    return design.fragments[design.fragment].signal_names


class TraceBuilder:
    """Collects groups and views, checking every name against the VCD.

    With ``component``, signals of the top scope are found by the simulator's
    names (``top_names``).
    """

    def __init__(self, vcd, component=None):
        self.vcd = vcd
        self.layout = Layout()
        self._top = None if component is None else top_names(component)

    def name(self, scope, value, path=None):
        """The full VCD name of ``value`` in ``scope`` (its field ``path``, if given)."""
        if scope == TOP and self._top is not None:
            return ".".join(TOP + (self._top[Value.cast(value)],) + ((path,) if path else ()))
        return scope_name(scope, value, path)

    def trace(self, name, alias, datafmt):
        self.vcd.var(name)      # a KeyError naming it: the trace would be empty
        return Trace(name, alias, datafmt)

    def number(self, label, source, signed, frac, stage=None):
        width = self.vcd.var(source).size
        name = "{}_{}".format(label, format_name(signed, width, frac))
        if any(v.name == name for v in self.layout.views):    # the same label elsewhere
            where = {"i": "in", "o": "out"}.get(stage) or "s{}".format(stage)
            name = "{}_{}_{}".format(label, where, format_name(signed, width, frac))
        self.layout.views.append(NumberView(name, source, signed, width, frac))
        return Trace(".".join(NUMBERS + (name,)), name, "real")

    def port(self, scope, stream, label, fmt, alias):
        """Traces of one stream port: valid, ready, the payload and its number view."""
        traces = [self.trace(self.name(scope, stream.valid), label + ".valid", "bin"),
                  self.trace(self.name(scope, stream.ready), label + ".ready", "bin")]
        payload = self.name(scope, stream.payload)
        width = len(Value.cast(stream.payload))
        if fmt is None:
            traces.append(self.trace(payload, alias, datafmt(width, False)))
        else:
            traces += [self.trace(payload, alias, datafmt(width, fmt.signed)),
                       self.number(alias, payload, fmt.signed, fmt.f_bits, label)]
        return traces

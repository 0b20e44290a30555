"""Value change dumps: read one, and copy one with real-valued views of its registers added.

Both sides use pyvcd (installed with Amaranth, which writes its dumps with
it): ``vcd.reader.tokenize`` reads, ``vcd.writer.VCDWriter`` writes. A
variable is known by its full dotted name, scopes then reference, with the
backslash of an escaped reference dropped: Amaranth declares the field
``acc`` of register ``s1`` in scope ``bench.top.horner`` as ``\\s1.acc``,
and ``VCD.vars`` calls it ``"bench.top.horner.s1.acc"``.
"""

import bisect
from dataclasses import dataclass, field
from typing import NamedTuple

from vcd.reader import TokenKind, VCDParseError, tokenize
from vcd.writer import VCDWriter

__all__ = ["Var", "VCD", "read_vcd", "write_with_views"]

_CHANGES = frozenset({TokenKind.CHANGE_SCALAR, TokenKind.CHANGE_VECTOR, TokenKind.CHANGE_REAL,
                      TokenKind.CHANGE_STRING})


class Var(NamedTuple):
    """One variable declaration.

    Members
    -------
    id_code : str
        The identifier its changes use (aliases share one).
    type : str
        ``"wire"``, ``"real"``, ``"string"``, ...
    size : int
        Bits.
    scope : tuple of str
    reference : str
        The name as declared (``"\\\\s1.acc"``, ``"s1_valid"``).
    """
    id_code: str
    type: str
    size: int
    scope: tuple
    reference: str

    @property
    def gtkw_name(self):
        """The name a GTKWave save file gives the variable (as Amaranth's own save files do)."""
        name = ".".join(self.scope + (self.reference,))
        if self.type == "real" or self.size == 1:
            return name
        return "{}[{}:0]".format(name, self.size - 1)


def _full_name(scope, reference):
    return ".".join(scope + (reference.lstrip("\\").replace(" [", "["),))


def _reference(decl):
    """The reference as declared: pyvcd drops the backslash of an escaped name; put it back."""
    name = decl.reference
    if not all(c.isascii() and (c.isalnum() or c in "_$") for c in name):
        name = "\\" + name     # not a plain identifier (a field path such as s1.acc)
    if decl.bit_index is not None:
        index = decl.bit_index if isinstance(decl.bit_index, tuple) else (decl.bit_index,)
        name += " [{}]".format(":".join(str(i) for i in index))
    return name


@dataclass
class VCD:
    """A value change dump read into memory.

    Members
    -------
    timescale : str
    vars : dict
        Full dotted name (``"bench.top.horner.s2.acc"``) -> ``Var``.
    changes : dict
        Identifier -> list of ``(time, value)`` in time order; ``value`` is an
        int for wires (``None`` where a bit is x or z), a float for reals, a
        str for strings.
    scopes : set
        Full dotted names of the scopes (``"bench.top.horner"``).
    """
    timescale: str = ""
    vars: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    scopes: set = field(default_factory=set)

    def children(self, scope):
        """Variables directly inside ``scope``, relative (fields dotted: ``s1.acc``)."""
        out = []
        for var in self.vars.values():
            if ".".join(var.scope) == scope:
                out.append(var.reference.lstrip("\\"))
        return out

    def var(self, name):
        """The ``Var`` called ``name``; a ``KeyError`` naming it if there is none."""
        if name not in self.vars:
            raise KeyError("no variable {!r} in the VCD".format(name))
        return self.vars[name]

    def history(self, name):
        """The ``(time, value)`` changes of variable ``name``."""
        return self.changes.get(self.var(name).id_code, [])

    def rising_edges(self, clock="bench.top.clk"):
        """Times of the rising edges of ``clock``."""
        return [t for t, v in self.history(clock) if v == 1]

    def sample(self, name, times):
        """The values ``name`` holds just before each of ``times`` (what an edge samples)."""
        hist = self.history(name)
        keys = [t for t, _ in hist]
        out = []
        for t in times:
            index = bisect.bisect_left(keys, t) - 1
            out.append(hist[index][1] if index >= 0 else None)
        return out


def _value(token):
    """``(id_code, value)`` of a change token, value as ``VCD.changes`` holds it."""
    change = token.data
    value = change.value
    if token.kind is TokenKind.CHANGE_SCALAR:
        value = int(value) if value in ("0", "1") else None
    elif token.kind is TokenKind.CHANGE_VECTOR and isinstance(value, str):
        value = None      # some bit is x or z
    return change.id_code, value


def _declarations(tokens, path):
    """Read the header from ``tokens``: ``(keywords, [Var])``, stopping after $enddefinitions."""
    keywords = {}
    declared = []
    scope = []
    for token in tokens:
        kind = token.kind
        if kind is TokenKind.SCOPE:
            scope.append(token.scope.ident)
        elif kind is TokenKind.UPSCOPE:
            scope.pop()
        elif kind is TokenKind.VAR:
            decl = token.var
            declared.append(Var(decl.id_code, decl.type_.value, decl.size, tuple(scope),
                                _reference(decl)))
        elif kind is TokenKind.TIMESCALE:
            keywords["timescale"] = str(token.timescale)
        elif kind in (TokenKind.COMMENT, TokenKind.DATE, TokenKind.VERSION):
            keywords[kind.name.lower()] = token.data
        elif kind is TokenKind.ENDDEFINITIONS:
            return keywords, declared
    raise ValueError("{} is not a VCD file (no $enddefinitions)".format(path))


def _tokens(f, path):
    try:
        yield from tokenize(f)
    except VCDParseError as exc:
        raise ValueError("{} is not a valid VCD file: {}".format(path, exc)) from None


def read_vcd(path):
    """Read the VCD at ``path`` into a ``VCD``.

    Raises
    ------
    ValueError
        If the file is not a value change dump.
    """
    vcd = VCD()
    with open(path, "rb") as f:
        tokens = _tokens(f, path)
        keywords, declared = _declarations(tokens, path)
        vcd.timescale = keywords.get("timescale", "")
        for var in declared:
            vcd.vars[_full_name(var.scope, var.reference)] = var
            for depth in range(1, len(var.scope) + 1):
                vcd.scopes.add(".".join(var.scope[:depth]))
        time = 0
        changes = vcd.changes
        for token in tokens:
            if token.kind is TokenKind.CHANGE_TIME:
                time = token.time_change
            elif token.kind in _CHANGES:
                ident, value = _value(token)
                changes.setdefault(ident, []).append((time, value))
    return vcd


def write_with_views(src, dst, views, scope=("bench", "numbers")):
    """Copy the VCD at ``src`` to ``dst`` with one ``real`` variable per view in ``scope``.

    Parameters
    ----------
    src, dst : str
        Paths (different files).
    views : sequence
        Objects with ``name`` (the real variable's name), ``source`` (full
        name of the variable in ``src`` it shows) and ``value(raw)`` (the real
        number for a raw value, or ``None`` to leave the view unchanged).
    scope : tuple of str
        Scope of the new variables.
    """
    with open(src, "rb") as f, open(dst, "w") as out:
        tokens = _tokens(f, src)
        keywords, declared = _declarations(tokens, src)
        writer = VCDWriter(out, timescale=keywords.get("timescale", "1 ns"),
                           date=keywords.get("date", ""), comment=keywords.get("comment", ""),
                           version=keywords.get("version", ""))
        written = {}
        ids = {}
        for var in declared:
            if var.id_code in written:
                writer.register_alias(var.scope, var.reference, written[var.id_code])
            else:
                written[var.id_code] = writer.register_var(var.scope, var.reference, var.type,
                                                           var.size)
            ids[_full_name(var.scope, var.reference)] = var.id_code
        by_source = {}
        for view in views:
            if view.source not in ids:
                raise KeyError("no variable {!r} in {} for the view {!r}".format(
                    view.source, src, view.name))
            by_source.setdefault(ids[view.source], []).append(
                (writer.register_var(scope, view.name, "real"), view))
        time = 0
        for token in tokens:
            if token.kind is TokenKind.CHANGE_TIME:
                time = token.time_change
            elif token.kind in _CHANGES:
                change = token.data
                writer.change(written[change.id_code], time, change.value)
                if change.id_code in by_source:
                    _, raw = _value(token)
                    for var, view in by_source[change.id_code]:
                        value = view.value(raw)
                        if value is not None:
                            writer.change(var, time, value)
        writer.close(time)

"""Bit-exact integer models of the comparison designs in ``hw/baselines/``.

These are not the seed's method: they are the ways people usually put a
sigmoid on an FPGA, modelled exactly as the gateware computes them so the
comparison (``sigmoid-hw compare``) can report their exhaustive accuracy.
Every model takes raw ``SQ(4, 12)`` inputs (int16 values, x in [-8, 8)) and
returns raw outputs as an int64 array: the sigmoid models ``UQ(0, 16)``
(0..65535), the tanh models ``SQ(1, 15)`` (y = raw / 32768, -32768..32767).

``plan``
    PLAN (Amin, Curtis and Hayes-Gill, IEE Proc. Circuits Devices Syst.
    144(6), 1997): for ``a = |x|``, ``y = 1`` (a >= 5), ``a/32 + 0.84375``
    (2.375 <= a < 5), ``a/8 + 0.625`` (1 <= a < 2.375), ``a/4 + 0.5``
    (a < 1), and ``y(-x) = 1 - y(x)``. Shifts and adds only. The value is
    exact at 17 fraction bits (``a/32`` of a 12-fraction-bit input needs
    17); it is mirrored for x < 0 at 17 bits, then rounded half up to 16 bits
    and saturated at 65535.
``table1024``
    A plain table like hls4ml's default ``sigmoid``: 1024 entries over
    [-8, 8), indexed by the top 10 bits of the input, no interpolation.
    Entry ``i`` is sigmoid at the *left edge* of its bin, ``-8 + i/64``, as
    hls4ml's ``init_sigmoid_table`` samples it, correctly rounded to 16 bits
    (hls4ml's default table type is coarser, ``ap_fixed<18,8>``; here the
    table is as good as 16 bits allow, so only the method is compared).
``interp256``
    TFLite's int16 ``Logistic`` kernel (and CMSIS-NN's), whose table is
    "sigmoid(i/24) at 0.16 format - 256 elements" over [0, 10.67). Its
    entries are not the rounded sigmoid: they sit up to 0.84 ulp above it,
    lifted by half the chord sag of the concave curve so that the chords
    straddle it; ``round(2**16 (s + h**2/16 * s (1 - s) (2 s - 1)))`` with
    ``s = sigmoid(i h)``, ``h = 1/24``, reproduces TFLite's shipped table
    exactly for 255 of its 256 entries (the last, unused here, TFLite sets to
    65535), and that is how ours is computed. The
    input is folded by symmetry, scaled by 3 so that ``u = 3 |raw|`` has 9
    bits below the knot spacing 1/24, ``r = T[u >> 9] * 512 + (u & 511) *
    (T[h + 1] - T[h])`` interpolates exactly, and the result is rounded to
    16 bits: ``(r + 256) >> 9`` for x >= 0 and ``(2**25 - r + 255) >> 9``
    for x < 0 (TFLite's own rounding pair, which makes ``y(-x) = 1 - y(x)``
    exact). Saturated at 65535. Our inputs reach only knots 0..193.
``tanh1024``
    hls4ml's ``tanh`` (``nnet_utils/nnet_activation.h``, Vivado and
    Catapult templates alike): ``init_tanh_table`` fills entry ``ii`` with
    ``tanh(2 * 4.0 * (ii - N/2) / N)``, i.e. tanh(-4 + i/128) at the left
    edge of its bin, N = 1024 entries over [-4, 4); ``tanh`` indexes it with
    ``int(data * N / 8) + 4 * N / 8``, clamped to 0..N-1 (so it saturates at
    tanh(-4) and tanh(4 - 1/128) outside the table). That ``int`` conversion
    of an ``ap_fixed`` (or of a ``double`` in the Catapult version)
    truncates toward zero (``ap_fixed_base::to_ap_int_base`` with
    ``Cnative``: "Follow C native data type"), so a negative x that is not a
    multiple of 1/128 reads the bin above its own: every x in (-1/128, 1/128)
    reads tanh(0) = 0, and the outputs stay odd inside the table. Modelled so,
    with each entry ``round(2**15 tanh(-4 + i/128))`` correctly rounded into
    ``SQ(1, 15)`` (hls4ml's table type is ``ap_fixed<18,8>``, coarser; as for
    ``table1024`` only the method is compared). Unlike ``table1024`` (which
    indexes by the input's top bits, floor), this is hls4ml's own index.
``tanh_interp256``
    TFLite's int16 ``Tanh`` (``reference_integer_ops::Tanh``, int16
    overload): "We use the LUT for sigmoid and take into account, that
    tanh(x) = 2*sigmoid(2*x) - 1". With an input of scale 2^-12 (our SQ(4,
    12); ``TanhPrepare`` then sets no multiplier and no shift) it computes
    ``u = 3 |raw|``, ``h = u >> 8``, ``t = u & 255`` and, for ``h < 255``,
    ``r = (T[h] << 8) + t (T[h + 1] - T[h])`` from the same 256-entry
    ``sigmoid_table_uint16`` as ``interp256`` (the knots now stand at 2x =
    h/24); for ``h >= 255`` (|x| >= 5.3125) ``r = 0xFFFF << 8``. The result
    is ``(r - 2**23 + 2**7) >> 8`` for x >= 0 and ``(2**23 - r + 2**7 - 1)
    >> 8`` for x < 0, an ``SQ(1, 15)`` value, exactly odd; it never passes
    +-32767. Entry 255, which ``interp256`` never reads, is TFLite's shipped
    65535.
``rom``
    The accuracy limit: every output correctly rounded, from a ROM of
    sigmoid(x) for x >= 0 (32,768 words) and symmetry,
    ``y(-x) = 65536 - y(x)`` (exact: no value is a rounding tie). x = -8 has
    no mirror in [0, 8) and is a constant.

All table entries are computed exactly (``sigmoid_hw.model.accuracy``), never in float.
"""

import decimal
import functools

import numpy as np

from sigmoid_hw.model.accuracy import correctly_rounded_sigmoid
from sigmoid_hw.model.fixed import SQ, UQ
from sigmoid_hw.model.function_exact import correctly_rounded

__all__ = [
    "INPUT_FORMAT", "OUTPUT_FORMAT", "OUTPUT_BITS", "BASELINES",
    "TANH_OUTPUT_FORMAT", "BASELINE_FUNCTIONS",
    "plan_sigmoid", "table1024_sigmoid", "interp256_sigmoid", "rom_sigmoid",
    "tanh1024_tanh", "tanh_interp256_tanh",
    "PLAN_SEGMENTS", "table1024_entries", "interp256_entries", "rom_entries", "rom_minus_eight",
    "tanh1024_entries", "tflite_sigmoid_table",
]

INPUT_FORMAT = SQ(4, 12)
OUTPUT_BITS = 16
OUTPUT_FORMAT = UQ(0, OUTPUT_BITS)
TANH_OUTPUT_FORMAT = SQ(1, OUTPUT_BITS - 1)
_ONE = 1 << OUTPUT_BITS
_MAX = _ONE - 1

# PLAN at 17 fraction bits for a = |raw| (12 fraction bits): segment k holds
# a_min[k] <= a < a_min[k + 1] and gives y17 = (a << shift) + offset_17, since
# 0.25 a 2**-12 2**17 = a << 3, 0.125 -> << 2, 0.03125 -> << 0. The last
# segment is the constant 1 (shift None).
PLAN_SEGMENTS = (
    # (a_min, shift, offset_17)
    (0, 3, 65536),                   # 0.25|x| + 0.5
    (1 * 4096, 2, 81920),            # 0.125|x| + 0.625
    (2 * 4096 + 1536, 0, 110592),    # 0.03125|x| + 0.84375, from 2.375
    (5 * 4096, None, 131072),        # 1
)


def _inputs(raw_x):
    return np.asarray(INPUT_FORMAT.check_raw(raw_x, "raw_x"), dtype=np.int64)


def plan_sigmoid(raw_x):
    """PLAN, bit-exact with ``sigmoid_hw.hw.baselines.plan.PLAN``."""
    raw = _inputs(raw_x)
    a = np.abs(raw)
    bounds = [seg[0] for seg in PLAN_SEGMENTS[1:]]
    conditions = [a < bound for bound in bounds]
    values = [(a << shift) + offset for _, shift, offset in PLAN_SEGMENTS[:-1]]
    y17 = np.select(conditions, values, PLAN_SEGMENTS[-1][2])
    y17 = np.where(raw < 0, (1 << 17) - y17, y17)
    return np.minimum((y17 + 1) >> 1, _MAX)


@functools.lru_cache(maxsize=None)
def table1024_entries():
    """The 1024 16-bit entries: sigmoid(-8 + i/64) correctly rounded (read-only int64)."""
    knots = np.arange(1024, dtype=np.int64) * 64 + INPUT_FORMAT.min  # raw of -8 + i/64
    entries = correctly_rounded_sigmoid(knots, INPUT_FORMAT, OUTPUT_BITS)
    entries.flags.writeable = False
    return entries


def table1024_sigmoid(raw_x):
    """hls4ml-style 1024-entry table, bit-exact with ``sigmoid_hw.hw.baselines.table.Table1024``."""
    raw = _inputs(raw_x)
    return table1024_entries()[(raw >> 6) + 512]


def _tflite_knot(i):
    """round(2**16 (s + h**2/16 s (1 - s)(2 s - 1))), s = sigmoid(i h), h = 1/24, in decimal."""
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        s = 1 / (1 + (-decimal.Decimal(i) / 24).exp())
        value = (s + s * (1 - s) * (2 * s - 1) / (16 * 24 * 24)) * (1 << OUTPUT_BITS)
        rounded = int(value.to_integral_value(rounding=decimal.ROUND_HALF_EVEN))
        if abs(abs(value - rounded) - decimal.Decimal("0.5")) < decimal.Decimal(10) ** -40:
            raise ArithmeticError("knot {} is too close to a rounding midpoint".format(i))
    return min(rounded, _MAX)


@functools.lru_cache(maxsize=None)
def interp256_entries():
    """TFLite's 256 knots at x = i/24, 16 bits, lifted by half the chord sag (read-only int64)."""
    entries = np.array([_tflite_knot(i) for i in range(256)], dtype=np.int64)
    entries.flags.writeable = False
    return entries


def interp256_sigmoid(raw_x):
    """TFLite-style interpolated 256-entry table, bit-exact with ``Interp256``."""
    raw = _inputs(raw_x)
    table = interp256_entries()
    u = np.abs(raw) * 3
    h = u >> 9
    t = u & 511
    lo = table[h]
    hi = table[np.minimum(h + 1, 255)]
    r = (lo << 9) + t * (hi - lo)
    y = np.where(raw >= 0, (r + 256) >> 9, ((1 << 25) - r + 255) >> 9)
    return np.minimum(y, _MAX)


@functools.lru_cache(maxsize=None)
def rom_entries():
    """The 32,768 ROM words: sigmoid(x) for x = 0 .. 8 - 2**-12, correctly rounded."""
    entries = correctly_rounded_sigmoid(np.arange(1 << 15, dtype=np.int64),
                                        INPUT_FORMAT, OUTPUT_BITS)
    entries.flags.writeable = False
    return entries


def rom_minus_eight():
    """The constant for x = -8, which has no mirror image in the ROM."""
    return int(correctly_rounded_sigmoid([INPUT_FORMAT.min], INPUT_FORMAT, OUTPUT_BITS)[0])


def rom_sigmoid(raw_x):
    """Direct ROM with symmetry, bit-exact with ``sigmoid_hw.hw.baselines.rom.DirectROM``."""
    raw = _inputs(raw_x)
    table = rom_entries()
    a = np.minimum(np.abs(raw), (1 << 15) - 1)
    y = np.where(raw >= 0, table[a], _ONE - table[a])
    return np.where(raw == INPUT_FORMAT.min, rom_minus_eight(), y)


TANH_TABLE_BITS = 10        # 1024 entries over [-4, 4): bins of 1/128, 32 raw input units
_TANH_BIN_SHIFT = INPUT_FORMAT.f_bits - 7


@functools.lru_cache(maxsize=None)
def tanh1024_entries():
    """hls4ml's 1024 tanh entries, tanh(-4 + i/128) correctly rounded to SQ(1, 15) (read-only)."""
    knots = (np.arange(1 << TANH_TABLE_BITS, dtype=np.int64) - 512) << _TANH_BIN_SHIFT
    entries, _ = correctly_rounded("tanh", knots, INPUT_FORMAT, TANH_OUTPUT_FORMAT)
    entries = np.clip(entries, -TANH_OUTPUT_FORMAT.max, TANH_OUTPUT_FORMAT.max)
    entries.flags.writeable = False
    return entries


def tanh1024_tanh(raw_x):
    """hls4ml's tanh table (index truncated toward zero), bit-exact with ``Tanh1024``."""
    raw = _inputs(raw_x)
    toward_zero = np.where(raw < 0, -((-raw) >> _TANH_BIN_SHIFT), raw >> _TANH_BIN_SHIFT)
    return tanh1024_entries()[np.clip(toward_zero + 512, 0, (1 << TANH_TABLE_BITS) - 1)]


@functools.lru_cache(maxsize=None)
def tflite_sigmoid_table():
    """TFLite's ``sigmoid_table_uint16`` as shipped: ``interp256_entries`` with T[255] = 65535."""
    entries = np.array(interp256_entries())
    entries[-1] = _MAX
    entries.flags.writeable = False
    return entries


def tanh_interp256_tanh(raw_x):
    """TFLite's int16 tanh, 2 sigmoid(2x) - 1 interpolated, bit-exact with ``TanhInterp256``."""
    raw = _inputs(raw_x)
    table = tflite_sigmoid_table()
    u = np.abs(raw) * 3
    h = u >> 8
    inside = np.minimum(h, 254)
    lo = table[inside]
    r = np.where(h >= 255, _MAX << 8, (lo << 8) + (u & 255) * (table[inside + 1] - lo))
    return np.where(raw >= 0, (r - (1 << 23) + (1 << 7)) >> 8, ((1 << 23) - r + (1 << 7) - 1) >> 8)


BASELINES = {
    "plan": plan_sigmoid,
    "table1024": table1024_sigmoid,
    "interp256": interp256_sigmoid,
    "rom": rom_sigmoid,
    "tanh1024": tanh1024_tanh,
    "tanh-interp256": tanh_interp256_tanh,
}

# the exact function each model approximates (its accuracy reference)
BASELINE_FUNCTIONS = {name: "tanh" if name.startswith("tanh") else "sigmoid" for name in BASELINES}

"""A cost model per device: LUT, FF, DSP, block RAM and Fmax of a design, before building it.

``features(component)`` reads what a design stores and computes from its
plan (never from a netlist): its memories ``(depth, width)``, its products
``(a_bits, b_bits)``, the bits of its adders, its corrections (one
comparator each), its output width and latency. ``estimate(component,
device, fit)`` turns them into resources:

* block RAM: a memory takes the fewest blocks of the device's read shapes
  (``BRAM_SHAPES``) when Yosys's ``memory_libmap`` would put it there: when
  those blocks cost less (``BRAM_COST`` each, the device's ``brams.txt``)
  than the memory in logic (1/16 per bit, its ``-logic-cost-rom``); other
  memories are logic (a 64 x 72 ROM: 5 EBR cost 320 > 288, logic);
* DSP: each product as Yosys's ``mul2dsp`` cuts it (``DSP_MAP``: the block's
  operand width, the narrowest operands and result it takes; ``synth_ice40
  -dsp``: 16 x 16, 2 x 2, an 11-bit result; ``synth_ecp5``: 18 x 18, 2 x 2):
  the wider operand in slices of the block's width and a top remainder, a
  slice whose product is narrower than that minimum built in logic (tanh's
  19 x 7 on the UP5K: one SB_MAC16 and the 3 x 7 remainder in logic; none on
  the HX8K); with ``reuse`` (the pipeline's ``sigmoid_hw.hw.horner_shared``,
  the piecewise polynomial's shared steps) one product per multiplier, as
  wide as its widest step, and ``mux_bits`` the operand bits its
  multiplexer selects among the passes (``(passes - 1) x width`` each);
* DSP and block RAM: those structural counts, scaled by a factor per device
  and kind fitted to the builds (least squares through 0: a design without a
  product or a memory has none);
* LUT and FF: ``fit[device][kind]``, a least-squares fit of the form
  ``c0 + c1 adder_bits + c2 rom_bits/16 + c3 logic_product_bits + c4 corrections
  + c5 mux_bits`` (LUT) and ``c0 + c1 latency (in + out width) + c2
  registered product bits`` (FF; a product's register at an interval of 1,
  none in a shared multiplier's loop) to real builds (``fit_costs``);
* Fmax: the median Fmax of the fit's builds of the same method on the device,
  apart for the designs with an initiation interval above 1 (``reuse``: one
  multiply-add per clock through a loop with one register) when it has some.

The fit lives in ``flow/cost_fit.json``, written by ``sigmoid-hw generate
--refit`` from builds it makes with ``sigmoid_hw.flow.implement`` (seed 1), with the
builds themselves: a design the fit has built is estimated by its measured
figures, and ``generate`` prints the model's error against the builds.
"""

import json
import math
import os

import numpy as np

from sigmoid_hw.model.methods.devices import DEVICES as FAMILY_DEVICES

__all__ = ["features", "estimate", "fit_costs", "load_fit", "build_key", "model_errors", "FIT_PATH",
           "FAMILY", "BRAM_SHAPES", "BRAM_COST", "DSP_NATIVE", "DSP_MAP", "method_kind", "same_design"]

FIT_PATH = os.path.join(os.path.dirname(__file__), "cost_fit.json")
LOGIC_PRODUCT_BITS = 32         # a device without a DSP_MAP rule: a x b at most this, logic
# The device's family (``sigmoid_hw.flow.implement.DEVICES[d].timing_family``): its block RAM
# read shapes and DSP operand width are the family's (``sigmoid_hw.model.methods.devices``).
FAMILY = {"up5k": "ice40-up", "hx8k": "ice40-hx", "ecp5-85f": "ecp5", "gw1nr-9": "gowin-gw1n",
          "gw2a-18": "gowin-gw2a"}
BRAM_SHAPES = {d: FAMILY_DEVICES[f].bram_shapes for d, f in FAMILY.items()}
DSP_NATIVE = {d: FAMILY_DEVICES[f].native for d, f in FAMILY.items()}
# memory_libmap's cost of one block (ice40/brams.txt, lattice/brams_16kd.txt, gowin/brams.txt)
BRAM_COST = {"up5k": 64, "hx8k": 64, "ecp5-85f": 128, "gw1nr-9": 128, "gw2a-18": 128}
ROM_LOGIC_COST = 1 / 16         # memory_libmap's -logic-cost-rom default, per bit
# mul2dsp's DSP_A/B_MAXWIDTH, DSP_A/B_MINWIDTH and DSP_Y_MINWIDTH (0: none) in synth_ice40 -dsp
# and synth_ecp5 (the Gowin script's are not checked here: those devices keep the chunk count)
DSP_MAP = {"up5k": (16, 2, 11), "ecp5-85f": (18, 2, 0)}


def method_kind(component):
    """The name the fit groups a design under: its class name (a padded unit's inner one)."""
    return type(getattr(component, "unit", component)).__name__


def _signed(lo, hi):
    return max(int(lo).bit_length(), int(hi).bit_length()) + 1


def features(component):
    """What ``component`` stores and computes, from its plan (module docstring)."""
    component = getattr(component, "unit", component)     # sigmoid_hw.hw.methods.padded.Padded: its unit
    plan = getattr(component, "plan", None)
    if plan is None:
        raise TypeError("component must be a method unit or a pipeline (a design with a "
                        "plan), not {!r}".format(component))
    mem, products, adders, mux = [], [], 0, 0
    name = method_kind(component)
    if name == "FunctionTable":             # segmented: one word of every field, a field mux
        mem = [(plan.segment_depth, plan.word_bits)]
        adders = max(plan.widths)
        mux = (len(plan.widths) - 1) * max(plan.widths)
    elif name == "MultipartiteTable":
        mem = [(len(plan.tiv), plan.tiv_shape[0])] + [
            (len(t), w) for t, (w, _) in zip(plan.offsets, plan.offset_shapes)]
        lo, hi = plan.sum_range
        adders = plan.tables * _signed(lo, hi)
    elif name == "PiecewisePolynomial":
        mem = [(plan.segments, plan.word_bits)]
        products = [tuple(p) for p in plan.product_bits]
        if getattr(component, "initiation_interval", 1) > 1:
            products = [tuple(p) for p in component.multipliers]    # one per group of steps
            mux = sum((size - 1) * p[0] for size, p in zip(component.groups, products))
        adders = sum(plan.acc_bits)
    elif name == "ReducedTable":              # the index and output XORs of a ones' fold
        mem = [(plan.depth, plan.width)]
        adders = (plan.index_bits if plan.fold == "ones" else 0) + \
            (component.output_format.width if plan.flip_output else 0)
    elif name == "KnotInterpolation":         # two banks; j + step, t', O - E, E - 2^g, the sum
        mem = [(plan.bank_depth, plan.width)] * 2
        products = [tuple(component.multiplier)]
        adders = plan.segment_bits + plan.t_bits + plan.delta_bits + 2 * plan.value_bits + \
            plan.offset_bits + (component.output_format.width if component.fold_kind == "flip"
                                else 0)
        mux = 2 * plan.width if component.product == "unsigned" else 0   # lower, upper knot
    elif hasattr(plan, "horner"):            # the seed's pipeline and the functions on it
        h, red = plan.horner, plan.reduction
        products = [(red.d_width, w) for w in h.acc_width[1:]]
        adders = sum(h.acc_width) + red.d_width
        reuse = getattr(component, "initiation_interval", 1)
        if reuse > 1:                        # sigmoid_hw.hw.horner_shared: one multiplier per group
            from sigmoid_hw.hw.horner_shared import horner_passes, reuse_groups
            width = getattr(component, "multiplier_width", None)
            passes = horner_passes(plan, width)
            groups = reuse_groups(len(passes), reuse)
            widest, start = [], 0
            for size in groups:
                chunk = passes[start:start + size]
                widest.append((red.d_width, max(p.hi - p.lo for p in chunk)))
                mux += (size - 1) * widest[-1][1]
                start += size
            products = widest
    else:
        raise TypeError("component must be a method unit or a pipeline, not {!r}"
                        .format(component))
    out = component.output_format.width
    return {
        "memories": [list(m) for m in mem],
        "products": [list(p) for p in products],
        "adder_bits": int(adders),
        "corrections": len(getattr(plan, "corrections", ()) or ()),
        "in_width": component.input_format.width,
        "out_width": out,
        "latency": component.latency,
        "interval": getattr(component, "initiation_interval", 1),
        "mux_bits": int(mux),
    }


def same_design(stored, current):
    """Whether features ``stored`` with a build still describe the design whose features are
    ``current`` (every stored figure the same; a build older than a feature lacks it)."""
    if stored is None or current is None:
        return stored is current
    return all(current.get(k) == v for k, v in stored.items())


def _blocks(depth, width, shapes):
    return min(math.ceil(depth / d) * math.ceil(width / w) for d, w in shapes)


def _chunks(bits, native):
    return 1 if bits <= native else 1 + math.ceil((bits - native) / (native - 1))


def _mul2dsp(a, b, rule, top=True):
    """``(dsps, logic product bits)`` of a signed ``a x b`` product as Yosys's ``mul2dsp``
    maps it with ``rule`` (``DSP_MAP``): the wider operand first (at the top only), a product
    narrower than the block's minimum in logic, a wider operand in unsigned slices of the
    block's width and the signed rest, each slice mapped again."""
    native, least, least_y = rule
    if top and a < b:
        a, b = b, a
    if a < least or b < least or a + b < least_y:
        return 0, a * b
    if a <= native and b <= native:
        return 1, 0
    wide, other = (a, b) if a > native else (b, a)
    slices = (wide - 1) // native
    d0, l0 = _mul2dsp(native, other, rule, False)
    d1, l1 = _mul2dsp(wide - slices * native, other, rule, False)
    return slices * d0 + d1, slices * l0 + l1


def _structural(feat, device):
    """``(brams, dsps, rom_bits in logic, product bits in logic)``."""
    brams, rom = 0, 0
    for depth, width in feat["memories"]:
        blocks = _blocks(depth, width, BRAM_SHAPES[device])
        if blocks * BRAM_COST[device] < depth * width * ROM_LOGIC_COST:
            brams += blocks
        else:
            rom += depth * width
    dsps, logic = 0, 0
    native = DSP_NATIVE[device]
    for a, b in feat["products"]:
        if native is None:
            logic += a * b
        elif device in DSP_MAP:
            d, l = _mul2dsp(a, b, DSP_MAP[device])
            dsps, logic = dsps + d, logic + l
        elif a * b <= LOGIC_PRODUCT_BITS:
            logic += a * b
        else:
            dsps += _chunks(a, native) * _chunks(b, native)
    return brams, dsps, rom, logic


def _lut_row(feat, device):
    _, _, rom, logic = _structural(feat, device)
    return [1.0, feat["adder_bits"], rom / 16.0, logic, feat["corrections"],
            feat.get("mux_bits", 0)]


def _ff_row(feat):
    # the products' own registers (a + b bits each) at an interval of 1; a shared multiplier's
    # loop has none (sigmoid_hw.hw.horner_shared, the piecewise reuse)
    registered = sum(a + b for a, b in feat["products"]) if feat.get("interval", 1) == 1 else 0
    return [1.0, feat["latency"] * (feat["in_width"] + feat["out_width"]), registered]


def load_fit(path=FIT_PATH):
    """The fit ``fit_costs`` wrote, or ``None`` if there is none."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def build_key(design, options):
    """A design and options as one string: how the fit finds a design it has built."""
    return design + "".join(" {}={}".format(k, options[k]) for k in sorted(options)
                            if options[k] is not None)


def estimate(feat, device, kind, fit, key=None):
    """``{luts, ffs, dsps, brams, fmax_mhz, source}`` of a design with features ``feat``.

    ``fit`` is ``load_fit()``. A design the fit has built (``key``, from
    ``build_key``, and the same features: not a build of an older plan) gets its
    measured figures (``source`` "built"); others the
    fitted model's (``source`` "model"); a device or kind the fit does not
    cover gives ``"missing"`` for the fitted figures, never a guess.
    """
    for b in (fit or {}).get("builds", ()):
        if key is not None and b["device"] == device and b["key"] == key and \
                (feat is None or same_design(b.get("features"), feat)):
            return {k: b[k] for k in ("luts", "ffs", "dsps", "brams", "fmax_mhz")} | \
                {"source": "built"}
    if feat is None:            # a fixed design the fit has not built
        return {k: "missing" for k in ("luts", "ffs", "dsps", "brams", "fmax_mhz", "source")}
    brams, dsps, _, _ = _structural(feat, device)
    result = {"brams": brams, "dsps": dsps, "luts": "missing", "ffs": "missing",
              "fmax_mhz": "missing", "source": "structure"}
    entry = (fit or {}).get("models", {}).get(device, {}).get(kind)
    if entry is None:
        return result
    row = _lut_row(feat, device)[:len(entry["lut"])]     # a fit older than a feature: without it
    result["luts"] = max(0, int(round(float(np.dot(entry["lut"], row)))))
    result["ffs"] = max(0, int(round(float(np.dot(entry["ff"],
                                                  _ff_row(feat)[:len(entry["ff"])])))))
    result["dsps"] = max(0, int(round(float(np.dot(entry["dsp"], [1.0, dsps])))))
    result["brams"] = max(0, int(round(float(np.dot(entry["bram"], [1.0, brams])))))
    shared = entry.get("fmax_mhz_shared")
    result["fmax_mhz"] = shared if shared is not None and feat.get("interval", 1) > 1 \
        else entry["fmax_mhz"]
    result["source"] = "model"
    return result


def _lstsq(rows, values):
    a = np.array(rows, dtype=float)
    b = np.array(values, dtype=float)
    # drop the columns that never vary (no signal to fit), keep the intercept
    keep = [0] + [j for j in range(1, a.shape[1]) if np.ptp(a[:, j]) > 0]
    coef = np.zeros(a.shape[1])
    sol, *_ = np.linalg.lstsq(a[:, keep], b, rcond=None)
    coef[keep] = sol
    return [float(c) for c in coef]


def _proportional(counts, values):
    """``c`` minimizing ``sum (c count - value)^2``: the structural count scaled, no
    intercept (a design with no memory or product has none, and one build is enough)."""
    den = sum(c * c for c in counts)
    return float(sum(c * v for c, v in zip(counts, values)) / den) if den else 0.0


def fit_costs(builds):
    """Fit the model to ``builds``: dicts with ``device``, ``kind``, ``features`` and the
    measured ``luts``, ``ffs``, ``fmax_mhz``. Returns the ``models`` part of the fit."""
    models = {}
    groups = {}
    for b in builds:
        groups.setdefault((b["device"], b["kind"]), []).append(b)
    for (device, kind), rows in sorted(groups.items()):
        structure = [_structural(b["features"], device) for b in rows]
        plain = [b["fmax_mhz"] for b in rows if b["features"].get("interval", 1) == 1]
        shared = [b["fmax_mhz"] for b in rows if b["features"].get("interval", 1) > 1]
        models.setdefault(device, {})[kind] = {
            "lut": _lstsq([_lut_row(b["features"], device) for b in rows],
                          [b["luts"] for b in rows]),
            "dsp": [0.0, _proportional([st[1] for st in structure], [b["dsps"] for b in rows])],
            "bram": [0.0, _proportional([st[0] for st in structure],
                                        [b["brams"] for b in rows])],
            "ff": _lstsq([_ff_row(b["features"]) for b in rows], [b["ffs"] for b in rows]),
            "fmax_mhz": float(np.median(plain or shared)),
            "fmax_mhz_shared": float(np.median(shared)) if shared and plain else None,
            "builds": len(rows),
        }
    return models


def model_errors(fit, builds=None, leave_one_out=False):
    """The fitted model's error against ``builds`` (default: the fit's own):
    ``{resource: (mean |error|, max |error|, count)}``, the model's figures taken as if the
    design had not been built. With ``leave_one_out`` each build is estimated by a model
    fitted to the other builds only (``fit_costs``; a figure its kind has no other build for
    is left out of the count): the error on a design the fit has not seen, which the
    in-sample error of a least-squares fit understates."""
    builds = (fit or {}).get("builds", ()) if builds is None else builds
    builds = [b for b in builds if b.get("features") is not None]
    errors = {}
    for i, b in enumerate(builds):
        models = fit["models"]
        if leave_one_out:
            models = fit_costs([c for j, c in enumerate(builds) if j != i
                                and (c["device"], c["kind"]) == (b["device"], b["kind"])])
        est = estimate(b["features"], b["device"], b["kind"], {"models": models})
        for k in ("luts", "ffs", "dsps", "brams", "fmax_mhz"):
            if est[k] != "missing":
                errors.setdefault(k, []).append(abs(float(est[k]) - float(b[k])))
    return {k: (float(np.mean(v)), float(np.max(v)), len(v)) for k, v in errors.items()}

"""A cost model per device: LUT, FF, DSP, block RAM and Fmax of a design, before building it.

``features(component)`` reads what a design stores and computes from its
plan (never from a netlist): its memories ``(depth, width)``, its products
``(a_bits, b_bits)``, the bits of its adders, its corrections (one
comparator each), its output width and latency. ``estimate(component,
device, fit)`` turns them into resources:

* block RAM: each memory above ``LUT_ROM_BITS`` bits takes the fewest
  blocks of the device's read shapes (``BRAM_SHAPES``; Yosys maps smaller
  ones to logic); exact where Yosys maps as it does today;
* DSP: each product takes ``ceil`` chunks of the device's native signed
  operand on each side (``DSP_NATIVE``; none on the HX8K, none on a product
  of at most ``LOGIC_PRODUCT_BITS`` (a x b), which Yosys builds in logic);
  with ``reuse`` (the pipeline's ``sigmoid_hw.hw.horner_shared``, the piecewise
  polynomial's shared steps) one product per multiplier, as wide as its
  widest step;
* DSP and block RAM: those structural counts, scaled by a factor per device
  and kind fitted to the builds (least squares through 0: a design without a
  product or a memory has none);
* LUT and FF: ``fit[device][kind]``, a least-squares fit of the form
  ``c0 + c1 adder_bits + c2 rom_bits/16 + c3 logic_product_bits + c4 corrections``
  (LUT) and ``c0 + c1 latency (in + out width)`` (FF) to real builds
  (``fit_costs``);
* Fmax: the median Fmax of the fit's builds of the same method on the device.

The fit lives in ``flow/cost_fit.json``, written by ``sigmoid-hw generate
--refit`` from builds it makes with ``sigmoid_hw.flow.implement`` (seed 1), with the
builds themselves: a design the fit has built is estimated by its measured
figures, and ``generate`` prints the model's error against the builds.
"""

import json
import math
import os

import numpy as np

__all__ = ["features", "estimate", "fit_costs", "load_fit", "build_key", "model_errors", "FIT_PATH",
           "BRAM_SHAPES", "DSP_NATIVE", "LUT_ROM_BITS", "method_kind"]

FIT_PATH = os.path.join(os.path.dirname(__file__), "cost_fit.json")
LUT_ROM_BITS = 1024
LOGIC_PRODUCT_BITS = 32
_EBR = ((256, 16), (512, 8), (1024, 4), (2048, 2))
_18K = ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))
BRAM_SHAPES = {"up5k": _EBR, "hx8k": _EBR, "ecp5-85f": _18K, "gw1nr-9": _18K, "gw2a-18": _18K}
DSP_NATIVE = {"up5k": 16, "hx8k": None, "ecp5-85f": 18, "gw1nr-9": 18, "gw2a-18": 18}


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
    mem, products, adders = [], [], 0
    name = method_kind(component)
    if name == "FunctionTable":
        mem = [(plan.depth, plan.width)]
        adders = plan.width
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
        adders = sum(plan.acc_bits)
    elif name == "ReducedTable":              # the index and output XORs of a ones' fold
        mem = [(plan.depth, plan.width)]
        adders = (plan.index_bits if plan.fold == "ones" else 0) + \
            (component.output_format.width if plan.flip_output else 0)
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
    }


def _blocks(depth, width, shapes):
    return min(math.ceil(depth / d) * math.ceil(width / w) for d, w in shapes)


def _chunks(bits, native):
    return 1 if bits <= native else 1 + math.ceil((bits - native) / (native - 1))


def _structural(feat, device):
    """``(brams, dsps, rom_bits in logic, product bits in logic)``."""
    brams, rom = 0, 0
    for depth, width in feat["memories"]:
        if depth * width > LUT_ROM_BITS:
            brams += _blocks(depth, width, BRAM_SHAPES[device])
        else:
            rom += depth * width
    dsps, logic = 0, 0
    native = DSP_NATIVE[device]
    for a, b in feat["products"]:
        if native is None or a * b <= LOGIC_PRODUCT_BITS:
            logic += a * b
        else:
            dsps += _chunks(a, native) * _chunks(b, native)
    return brams, dsps, rom, logic


def _lut_row(feat, device):
    _, _, rom, logic = _structural(feat, device)
    return [1.0, feat["adder_bits"], rom / 16.0, logic, feat["corrections"]]


def _ff_row(feat):
    return [1.0, feat["latency"] * (feat["in_width"] + feat["out_width"])]


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
    ``build_key``) gets its measured figures (``source`` "built"); others the
    fitted model's (``source`` "model"); a device or kind the fit does not
    cover gives ``"missing"`` for the fitted figures, never a guess.
    """
    for b in (fit or {}).get("builds", ()):
        if key is not None and b["device"] == device and b["key"] == key:
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
    result["luts"] = max(0, int(round(float(np.dot(entry["lut"], _lut_row(feat, device))))))
    result["ffs"] = max(0, int(round(float(np.dot(entry["ff"], _ff_row(feat))))))
    result["dsps"] = max(0, int(round(float(np.dot(entry["dsp"], [1.0, dsps])))))
    result["brams"] = max(0, int(round(float(np.dot(entry["bram"], [1.0, brams])))))
    result["fmax_mhz"] = entry["fmax_mhz"]
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
        models.setdefault(device, {})[kind] = {
            "lut": _lstsq([_lut_row(b["features"], device) for b in rows],
                          [b["luts"] for b in rows]),
            "dsp": [0.0, _proportional([st[1] for st in structure], [b["dsps"] for b in rows])],
            "bram": [0.0, _proportional([st[0] for st in structure],
                                        [b["brams"] for b in rows])],
            "ff": _lstsq([_ff_row(b["features"]) for b in rows], [b["ffs"] for b in rows]),
            "fmax_mhz": float(np.median([b["fmax_mhz"] for b in rows])),
            "builds": len(rows),
        }
    return models


def model_errors(fit, builds=None):
    """The fitted model's error against ``builds`` (default: the fit's own):
    ``{resource: (mean |error|, max |error|, count)}``, the model's figures taken as if the
    design had not been built."""
    builds = (fit or {}).get("builds", ()) if builds is None else builds
    errors = {}
    for b in builds:
        if b.get("features") is None:
            continue
        est = estimate(b["features"], b["device"], b["kind"], {"models": fit["models"]})
        for k in ("luts", "ffs", "dsps", "brams", "fmax_mhz"):
            if est[k] != "missing":
                errors.setdefault(k, []).append(abs(float(est[k]) - float(b[k])))
    return {k: (float(np.mean(v)), float(np.max(v)), len(v)) for k, v in errors.items()}

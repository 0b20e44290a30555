"""The tables ``sigmoid-hw compare`` prints: every row, or the accuracy of each design once."""

__all__ = ["DSP_LIMIT", "ADDER_LIMIT", "DSP_HARD_LIMIT", "STEP_LIMIT", "LIMITS",
           "format_table", "format_accuracy_table", "BLOCK_RAM_BITS"]

# the rows that measure a device, not a design (``sigmoid_hw.hw.baselines.limits``,
# ``sigmoid_hw.hw.baselines.hard_limits``)
DSP_LIMIT = "dsp-limit"
ADDER_LIMIT = "adder-limit"
DSP_HARD_LIMIT = "dsp-hard-limit"
STEP_LIMIT = "horner-step-limit"
LIMITS = (DSP_LIMIT, ADDER_LIMIT, DSP_HARD_LIMIT, STEP_LIMIT)


def _fmt(value, spec):
    return "-" if value is None else format(value, spec)


def format_table(rows):
    """The human-readable table."""
    head = ("{:<17} {:<9} {:>9} {:>8} {:>7} {:>5} {:>5} {:>4} {:>5} {:>7} {:>6} {:>4} {:>8}  {}"
            .format("design", "device", "max ulp", "mean ulp", "correct", "LUT", "FF", "DSP",
                    "BRAM", "Fmax", "/limit", "lat", "Mres/s", "note"))
    lines = [head, "-" * len(head)]
    previous = None
    bounded_limit = {r["device"] for r in rows if r["design"] == DSP_LIMIT and r.get("fmax_note")}
    for r in rows:
        if previous is not None and r["device"] != previous:
            lines.append("")
        previous = r["device"]
        correct = None if r["correctly_rounded"] is None else 100 * r["correctly_rounded"]
        rate = None if r["results_per_s"] is None else r["results_per_s"] / 1e6
        note = r.get("note") or ""
        if r.get("fmax_icetime_mhz") is not None:
            note = (note + "; " if note else "") + "icetime {}{}".format(
                r["fmax_icetime_mhz"], "" if r["fmax_icetime_mhz"] == "missing" else " MHz")
        if r.get("fmax_note"):
            note = (note + "; " if note else "") + "Fmax is an upper bound (DSP paths untimed)"
        ratio = _fmt(r["vs_limit"], ".2f")
        if r["vs_limit"] is not None and r["device"] in bounded_limit:
            ratio += "*"
        lines.append(
            "{:<17} {:<9} {:>9} {:>8} {:>7} {:>5} {:>5} {:>4} {:>5} {:>7} {:>6} {:>4} {:>8}  {}"
            .format(r["design"], r["device"], _fmt(r["max_ulp"], ".3f"),
                    _fmt(r["mean_ulp"], ".3f"),
                    "-" if correct is None else "{:.1f}%".format(correct),
                    _fmt(r["luts"], "d"), _fmt(r["core_ffs"], "d"), _fmt(r["dsps"], "d"),
                    _fmt(r["brams"], "d"), _fmt(r["fmax_mhz"], ".1f"),
                    ratio, _fmt(r["latency"], "d"), _fmt(rate, ".1f"), note))
    if bounded_limit:
        lines.append("* against a limit that is itself an upper bound ({}: nextpnr does not time "
                     "paths through iCE40 SB_MAC16 or Gowin MULT DSPs)".format(", ".join(sorted(bounded_limit))))
    return "\n".join(lines)


def format_accuracy_table(rows):
    """The accuracy and latency of each design, once (the same on every device)."""
    line = "{:<17} {:>9} {:>9} {:>8} {:>9} {:>15} {:>4}  {}"
    head = line.format("design", "max ulp", "mean ulp", "correct", "faithful", "worst x", "lat",
                       "what")
    lines = [head, "-" * len(head)]
    seen = set()
    for r in rows:
        if r["design"] in seen or r["design"] in LIMITS or "@" in r["design"]:
            continue
        seen.add(r["design"])
        lines.append(line.format(
            r["design"], _fmt(r["max_ulp"], ".3f"), _fmt(r["mean_ulp"], ".3f"),
            _fmt(r["correctly_rounded"], ".2%"), _fmt(r["faithful"], ".2%"),
            _fmt(r.get("worst_x"), ""), _fmt(r["latency"], "d"), r.get("description") or ""))
    return "\n".join(lines)


BLOCK_RAM_BITS = {
    "up5k": 30 * 4096,        # 30 EBR of 4 Kib
    "hx8k": 32 * 4096,        # 32 EBR of 4 Kib
    "ecp5-85f": 208 * 18432,  # 208 DP16KD of 18 Kib
    "gw1nr-9": 26 * 18432,    # 26 BSRAM of 18 Kib
    "gw2a-18": 46 * 18432,    # 46 BSRAM of 18 Kib
}


def _precheck(memory_bits, device):
    """A reason a design with ``memory_bits`` of initialized memory cannot fit ``device``, or None."""
    if memory_bits is not None and memory_bits > BLOCK_RAM_BITS[device]:
        return ("does not fit {}: needs {} Kib of initialized block RAM, the device has {} Kib "
                "(precheck)".format(device, memory_bits // 1024, BLOCK_RAM_BITS[device] // 1024))
    return None


def _ulp_text(function):
    if function == "sigmoid":
        return "ulp of the 16-bit output"
    return "{} against exact {}, in ulp of each design's own output format".format(
        function, function)

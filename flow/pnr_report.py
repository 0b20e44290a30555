"""What a place-and-route run reports, read the same way for every family.

``DoesNotFit`` (a resource the design needs more of than the device has),
``fit_error_from_log`` (that error from nextpnr's log), ``netlist_cells``
(cell counts of a Yosys JSON netlist), ``critical_path`` (nextpnr's longest
path of one clock) and ``run_nextpnr`` (a run, its report, and the fit error
from its log): used by ``sigmoid_hw.flow.implement`` and ``sigmoid_hw.flow.gowin``.
"""

import json
import os
import re

__all__ = ["DoesNotFit", "fit_error_from_log", "netlist_cells", "critical_path", "run_nextpnr"]


class DoesNotFit(RuntimeError):
    """The design needs more of a resource than the device has.

    Members
    -------
    device : str
    resource : str
        nextpnr's name for it (``ICESTORM_DSP``, ``ICESTORM_LC``, ``TRELLIS_COMB``...).
    used, available : int or None
    """

    def __init__(self, device, resource, used=None, available=None):
        self.device = device
        self.resource = resource
        self.used = used
        self.available = available
        if used is None:
            detail = "not enough {}".format(resource)
        else:
            detail = "needs {} {}, the device has {}".format(used, resource, available)
        super().__init__("Design does not fit {}: {}".format(device, detail))


_NO_BELS = re.compile(r"no BELs remaining to implement cell type '([^']+)'")
_UTIL_LINE = re.compile(r"^Info:\s+(\S+):\s+(\d+)/\s*(\d+)\s+\d+%", re.MULTILINE)


def fit_error_from_log(device, output):
    """A ``DoesNotFit`` from nextpnr's log, or None if the failure is something else."""
    usage = {name: (int(u), int(a)) for name, u, a in _UTIL_LINE.findall(output)}
    over = [name for name, (u, a) in usage.items() if u > a]
    match = _NO_BELS.search(output)
    resource = match.group(1) if match else (over[0] if over else None)
    if resource is None:
        return None
    used, available = usage.get(resource, (None, None))
    return DoesNotFit(device, resource, used, available)


def netlist_cells(netlist):
    """Cell counts by type of the top module of a Yosys JSON netlist (a dict)."""
    modules = netlist["modules"]
    top = next((m for m in modules.values() if int(m.get("attributes", {}).get("top", 0))),
               None)
    if top is None:
        raise ValueError("Netlist has no top module")
    counts = {}
    for cell in top["cells"].values():
        if cell["type"] == "$scopeinfo":  # hierarchy bookkeeping, not hardware
            continue
        counts[cell["type"]] = counts.get(cell["type"], 0) + 1
    return dict(sorted(counts.items()))


def critical_path(report, clock):
    """The longest clock-to-same-clock path of nextpnr's JSON report, or None."""
    paths = [p for p in report.get("critical_paths", [])
             if clock is not None and p.get("from") == "posedge " + clock
             and p.get("to") == "posedge " + clock and p.get("path")]
    if not paths:
        return None
    path = max(paths, key=lambda p: sum(step["delay"] for step in p["path"]))
    steps = path["path"]
    return {
        "from": steps[0]["from"]["cell"],
        "to": steps[-1]["to"]["cell"],
        "delay_ns": round(sum(s["delay"] for s in steps), 3),
        "logic_ns": round(sum(s["delay"] for s in steps if s["type"] != "routing"), 3),
        "routing_ns": round(sum(s["delay"] for s in steps if s["type"] == "routing"), 3),
        "logic_levels": sum(1 for s in steps if s["type"] == "logic"),
        "nets": [s["net"] for s in steps if s["type"] == "routing" and "net" in s],
    }


def run_nextpnr(tool, args, folder, device, *, toolchain, timeout):
    """Run nextpnr ``tool`` with ``args`` (plus the report and log files) in ``folder``;
    return its JSON report. A run that fails for lack of a resource raises ``DoesNotFit``
    (read from the log), any other failure the toolchain's error."""
    from sigmoid_hw.flow.toolchain import ToolchainError, run_tool
    try:
        run_tool(tool, [*args, "--timing-allow-fail", "--report", "report.json",
                        "--log", "nextpnr.log", "-q"],
                 cwd=folder, toolchain=toolchain, timeout=timeout)
    except ToolchainError as exc:
        log_path = os.path.join(folder, "nextpnr.log")
        output = getattr(exc, "output", "")
        if os.path.exists(log_path):
            with open(log_path) as f:
                output += f.read()
        fit = fit_error_from_log(device, output)
        if fit is not None:
            raise fit from None
        raise
    with open(os.path.join(folder, "report.json")) as f:
        return json.load(f)

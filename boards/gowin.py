"""Gowin boards built with nextpnr-himbaechel instead of the removed nextpnr-gowin.

Amaranth 0.5's ``GowinPlatform`` (Apicula toolchain) runs ``nextpnr-gowin``
with ``--family`` and ``--cst``; upstream nextpnr removed that architecture
in 2025 and its successor, the himbaechel Gowin architecture, takes the same
information as ``--vopt family=...`` and ``--vopt cst=...``. ``COMMAND_TEMPLATES``
are the platform's Apicula commands with that one step replaced (Yosys and
``gowin_pack`` are called as before, with the platform's own overrides such as
``gowin_pack_opts``); ``sigmoid_hw.boards.platforms`` puts them on the Tang boards'
platform classes for the build.
"""

__all__ = ["REQUIRED_TOOLS", "COMMAND_TEMPLATES"]

REQUIRED_TOOLS = ["yosys", "nextpnr-himbaechel", "gowin_pack"]

COMMAND_TEMPLATES = [
    r"""
    {{invoke_tool("yosys")}}
        {{quiet("-q")}}
        {{get_override("yosys_opts")|options}}
        -l {{name}}.rpt
        {{name}}.ys
    """,
    r"""
    {{invoke_tool("nextpnr-himbaechel")}}
        {{quiet("--quiet")}}
        {{get_override("nextpnr_opts")|options}}
        --log {{name}}.tim
        --device {{platform.part}}
        --vopt family={{platform._chipdb_device}}
        --vopt cst={{name}}.cst
        --json {{name}}.syn.json
        --write {{name}}.pnr.json
    """,
    r"""
    {{invoke_tool("gowin_pack")}}
        -d {{platform._chipdb_device}}
        -o {{name}}.fs
        {{get_override("gowin_pack_opts")|options}}
        {{name}}.pnr.json
    """,
]

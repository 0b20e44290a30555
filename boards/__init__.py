"""Board platforms and the board top: ICEBreaker, iCE40-HX8K breakout, ULX3S and OrangeCrab.

``sigmoid_hw.boards.platforms``   the supported boards (amaranth-boards platforms plus what the link needs)
``sigmoid_hw.boards.top``         ``BoardTop``: the host link (``sigmoid_hw.link.gateware``) around the sigmoid unit
"""

__all__ = ["platforms", "top"]

"""Board platforms and the board top: ICEBreaker, iCE40-HX8K breakout, ULX3S and OrangeCrab.

``boards.platforms``   the supported boards (amaranth-boards platforms plus what the link needs)
``boards.top``         ``BoardTop``: the host link (``link.gateware``) around the sigmoid unit
"""

__all__ = ["platforms", "top"]

"""Gateware of sigmoid-hw (Amaranth 0.5). Board details live in ``boards/``."""

"""Command line and scripts of sigmoid-hw: they sit on top of model/, hw/ and boards/."""

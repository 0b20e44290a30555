"""Command line and scripts of sigmoid-hw: they sit on top of model/, hw/, flow/, link/ and boards/."""

"""Board tops and platforms wrapping hw/ for ICEBreaker, iCE40-HX8K breakout, ULX3S and OrangeCrab."""

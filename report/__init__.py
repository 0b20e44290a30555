"""Reports built on the model and the gateware: figures, the Pareto front, progress, wording.

Library code that the ``sigmoid-hw`` commands print or draw with; it knows
nothing of the command line. One module per concern: ``plots`` (the error
figures of ``sigmoid-hw plot``), ``pareto`` and ``compare_plot`` (the
comparison's Pareto front and its figure), ``accuracy`` (what explains an
error above the bound), ``progress`` (progress bars on a terminal) and
``text`` (the shared wording of counts and yes/no). The waveforms of
``sigmoid-hw waves``: ``vcd`` (value change dumps read with pyvcd, and
copied with real-valued number views added) and ``waves`` (the traces,
number views and GTKWave save file of a design, from its register map and
its registry kind).
"""

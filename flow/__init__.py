"""The build flow of sigmoid-hw: toolchain selection, out-of-context implementation, test benches.

``sigmoid_hw.flow.toolchain``   the YoWASP tools of the environment, or the system's (``use_toolchain``)
``sigmoid_hw.flow.ooc``         the out-of-context harness: registers at every port, four pins
``sigmoid_hw.flow.implement``   synthesis and place-and-route of any component, resource and timing report
``sigmoid_hw.flow.testbench``   a self-checking Verilog test bench for an exported design, the Icarus runner

It sits on model/ and hw/ and knows nothing of boards/ or the host link.
"""

__all__ = ["toolchain", "ooc", "implement", "testbench"]

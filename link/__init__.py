"""The host link of sigmoid-hw: a UART, a framed protocol, and the host that checks every answer.

::

    sigmoid_hw.link.uart       a small 8N1 UART with stream interfaces (gateware)
    sigmoid_hw.link.protocol   the frame format and the loss bookkeeping (Ledger), pure Python
    sigmoid_hw.link.gateware   SigmoidLink: UART in, sigmoid and decision out, independent of any board
    sigmoid_hw.link.host       the host side: read_inputs, exchange, check_answers (no pyserial
                    needed to import it; the command is sigmoid-hw host)

It sits on model/ and hw/; the board tops in boards/ use it.
"""

__all__ = ["uart", "protocol", "gateware", "host"]

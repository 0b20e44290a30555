"""The link's host side: send words to a board, check every answer against the integer model.

Sends a range or a file of inputs, a few requests in flight at a time (the
protocol of ``sigmoid_hw.link.protocol``), and checks each answer: ``y`` against
``sigmoid_hw.model.pipeline.sigmoid_fixed`` and the decision against
``x >= sigmoid_hw.model.threshold.threshold_limit(t)``. The command line is
``sigmoid-hw host`` (``scripts/commands/host.py``)::

    sigmoid-hw host --port /dev/ttyUSB1 --words -32768 32768
    sigmoid-hw host --port /dev/ttyUSB1 --file inputs.txt --threshold 3/4

Input files hold one number per line: an integer is a raw input word, a
number with a point or an exponent is a real x, rounded to the nearest raw
word. ``#`` starts a comment.

Importing this module needs no port and no pyserial: ``exchange`` works with
any object that has ``write(bytes)`` and ``read(n)`` (``read`` returning what
arrived within the port's timeout).
"""

import time

import numpy as np

from sigmoid_hw.link.protocol import Ledger

__all__ = ["read_inputs", "exchange", "check_answers", "summarize"]


def read_inputs(lines, fmt):
    """Raw input words from text lines (see the module docstring)."""
    words = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            if any(c in text for c in ".eE") and not text.lower().startswith("0x"):
                words.append(int(fmt.from_float(float(text))))
            else:
                words.append(fmt.check_raw(int(text, 0), "input word").item())
        except ValueError as exc:
            raise ValueError("line {}: {}".format(number, exc)) from None
    return words


def exchange(port, words, protocol, *, window=4, timeout=1.0, progress=None):
    """Send every word and collect the answers; return the finished ``Ledger``.

    Parameters
    ----------
    port
        ``write(bytes)`` and ``read(n)``; ``read`` may return fewer bytes (or none).
    words : list of int
    protocol : LinkProtocol
    window : int
        Requests in flight; keep it below the board's queue depth (8) so
        nothing is dropped for overrun.
    timeout : float
        Seconds without any byte after which the words in flight are given up
        (the ledger then says whether the board reported them lost).

    Raises
    ------
    TypeError
        If ``window`` is not an integer.
    ValueError
        If ``window`` is below 1 (nothing would be sent) or ``timeout`` is
        not above 0.
    """
    if isinstance(window, bool) or not isinstance(window, int):
        raise TypeError("Window must be an integer, not {!r}".format(window))
    if window < 1:
        raise ValueError("Window must be at least 1, not {!r}".format(window))
    if not timeout > 0:
        raise ValueError("Timeout must be a number of seconds above 0, not {!r}".format(timeout))
    decoder = protocol.decoder()
    ledger = Ledger(len(words))
    sent = 0
    given_up = 0
    last_byte = time.monotonic()
    while ledger.accounted < len(words):
        while sent < len(words) and sent - max(ledger.accounted, given_up) < window:
            port.write(protocol.encode_request(sent % 256, words[sent]))
            sent += 1
        data = port.read(protocol.response_length)
        now = time.monotonic()
        if data:
            last_byte = now
            for response in decoder.feed(data):
                ledger.add(response)
            if progress:
                progress(ledger.accounted, len(words))
        elif now - last_byte > timeout:
            if sent == len(words) and given_up == sent:
                break
            given_up = sent
            last_byte = now
    ledger.finish()
    ledger.discarded_bytes = decoder.discarded
    return ledger


def check_answers(words, ledger, params, limit):
    """Mismatches between the answers and the model: a list of dicts.

    ``params`` are the board unit's: ``PipelineParams`` (a sigmoid), the
    ``UnitParams`` of one function (``sigmoid_hw.model.functions.derive_function``), or
    for a method unit a callable ``x -> (expected outputs, output width)``;
    signed outputs travel as their two's-complement bits.
    """
    x = np.asarray(words, dtype=np.int64)
    if callable(params):            # a method unit's model: (expected outputs, output width)
        expected, width = params(x)
        mask = (1 << width) - 1
    elif hasattr(params, "maps"):
        from sigmoid_hw.model.function_model import function_fixed
        expected = function_fixed(x, params)
        mask = (1 << params.output_formats[0].width) - 1
    else:
        from sigmoid_hw.model.pipeline import sigmoid_fixed
        expected = sigmoid_fixed(x, params)
        mask = (1 << params.output_bits) - 1
    bad = []
    for k, response in sorted(ledger.answered.items()):
        want_y = int(expected[k]) & mask
        want_d = words[k] >= limit
        if response.y != want_y or response.decision != want_d:
            bad.append({"index": k, "x": words[k], "y": response.y, "expected_y": want_y,
                        "decision": response.decision, "expected_decision": want_d})
    return bad


def summarize(words, ledger, mismatches, seconds):
    """The run's summary: a dict of counts, the first losses and mismatches, the speed."""
    return {
        "sent": len(words),
        "answered": len(ledger.answered),
        "dropped": len(ledger.dropped),
        "dropped_words": ledger.dropped[:100],
        "unexplained": ledger.unexplained[:100],
        "unexplained_count": len(ledger.unexplained),
        "problems": ledger.problems,
        "mismatches": len(mismatches),
        "first_mismatches": mismatches[:10],
        "discarded_bytes": ledger.discarded_bytes,
        "seconds": round(seconds, 2),
        "words_per_second": round(len(ledger.answered) / seconds, 1) if seconds else None,
    }

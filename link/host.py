"""Talk to a board over its serial port and check every answer against the integer model.

Sends a range or a file of inputs, a few requests in flight at a time (the
protocol of ``boards.protocol``), and checks each answer: ``y`` against
``model.pipeline.sigmoid_fixed`` and the decision against
``x >= model.threshold.threshold_limit(t)``. Words the board reports lost are
listed with the reason; a loss without a report, or a wrong answer, makes
the exit code 1.

Examples::

    python -m scripts.host --port /dev/ttyUSB1 --range -32768 32768
    python -m scripts.host --port /dev/ttyUSB1 --file inputs.txt --threshold 3/4

Input files hold one number per line: an integer is a raw input word, a
number with a point or an exponent is a real x, rounded to the nearest raw
word. ``#`` starts a comment.

Importing this module needs no port and no pyserial: ``exchange`` works with
any object that has ``write(bytes)`` and ``read(n)`` (``read`` returning what
arrived within the port's timeout).
"""

import argparse
import json
import sys
import time
from fractions import Fraction

import numpy as np

from boards.protocol import LinkProtocol, Ledger
from model.fixed import parse_format

__all__ = ["exchange", "check_answers", "read_inputs", "main"]


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
    """
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
    """Mismatches between the answers and the model: a list of dicts."""
    from model.pipeline import sigmoid_fixed
    expected = sigmoid_fixed(np.asarray(words, dtype=np.int64), params)
    bad = []
    for k, response in sorted(ledger.answered.items()):
        want_y = int(expected[k])
        want_d = words[k] >= limit
        if response.y != want_y or response.decision != want_d:
            bad.append({"index": k, "x": words[k], "y": response.y, "expected_y": want_y,
                        "decision": response.decision, "expected_decision": want_d})
    return bad


def _parser():
    p = argparse.ArgumentParser(prog="python -m scripts.host", description=__doc__.split("\n")[0])
    p.add_argument("--port", required=True, help="serial port, e.g. /dev/ttyUSB1 or COM3")
    p.add_argument("--baud", type=int, default=115200)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--range", nargs="+", type=int, metavar="N",
                     help="START STOP [STEP] of raw input words (STOP excluded)")
    src.add_argument("--file", help="file of inputs, one per line")
    p.add_argument("--input-format", default="SQ(4,12)", help="the board's input format")
    p.add_argument("--output-bits", type=int, default=16, help="the board's output width")
    p.add_argument("--order", type=int, default=None, help="the board's Taylor order")
    p.add_argument("--coefficients", default="table", help="the board's coefficients")
    p.add_argument("--threshold", default="1/2", help="the board's threshold t (default 1/2)")
    p.add_argument("--window", type=int, default=4, help="requests in flight (default 4)")
    p.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for an answer")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    from model.pipeline import derive_params
    from model.threshold import threshold_limit

    try:
        fmt = parse_format(args.input_format)
        params = derive_params(fmt, args.output_bits, args.order, args.coefficients)
        limit = threshold_limit(Fraction(args.threshold), fmt)
        if args.range is not None:
            if not 2 <= len(args.range) <= 3:
                raise ValueError("--range takes START STOP [STEP]")
            words = list(range(*args.range))
            fmt.check_raw(np.asarray(words, dtype=np.int64), "input word")
        else:
            with open(args.file) as f:
                words = read_inputs(f, fmt)
    except (TypeError, ValueError) as exc:
        print("host: error: {}".format(exc), file=sys.stderr)
        return 2
    protocol = LinkProtocol(fmt.width, args.output_bits)

    import serial  # pyserial, only needed to talk to a board
    start = time.monotonic()
    with serial.Serial(args.port, args.baud, timeout=0.05) as port:
        port.reset_input_buffer()

        def progress(done, total):
            if not args.json and (done % 1024 == 0 or done == total):
                print("\r{}/{} words".format(done, total), end="", file=sys.stderr, flush=True)

        ledger = exchange(port, words, protocol, window=args.window, timeout=args.timeout,
                          progress=progress)
    seconds = time.monotonic() - start
    mismatches = check_answers(words, ledger, params, limit)
    summary = {
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
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print("", file=sys.stderr)
        print("sent {sent}, answered {answered}, reported lost {dropped}, lost without a "
              "report {unexplained_count}, wrong answers {mismatches} ({seconds} s, "
              "{words_per_second} words/s)".format(**summary))
        for k, reason in ledger.dropped[:10]:
            print("  lost word {} (x={}): {}".format(k, words[k], reason))
        for m in mismatches[:10]:
            print("  word {index} x={x}: y={y} (model {expected_y}), decision={decision} "
                  "(model {expected_decision})".format(**m))
        for text in ledger.problems:
            print("  problem: " + text)
    ok = ledger.ok and not mismatches
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

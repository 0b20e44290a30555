"""``sigmoid-hw host``: talk to a board over its serial port, check every answer against the model.

Sends a range or a file of inputs, a few requests in flight at a time, and
checks each answer (``sigmoid_hw.link.host``: ``y`` against the integer model, the
decision against the exact threshold limit). Words the board reports lost are
listed with the reason; a loss without a report, or a wrong answer, makes the
exit code 1. Examples::

    sigmoid-hw host --port /dev/ttyUSB1 --words -32768 32768
    sigmoid-hw host --port /dev/ttyUSB1 --file inputs.txt --threshold 3/4

Input files hold one number per line: an integer is a raw input word, a
number with a point or an exponent is a real x, rounded to the nearest raw
word. ``#`` starts a comment. pyserial is imported only when the port is
opened.
"""

import json
import os
import sys
import time

import numpy as np

from sigmoid_hw.link.host import check_answers, exchange, read_inputs, summarize
from sigmoid_hw.link.protocol import LinkProtocol
from sigmoid_hw.model.fixed import parse_format
from sigmoid_hw.scripts.options import parse_threshold, positive_float, positive_int

__all__ = ["NAME", "HELP", "add_arguments", "run"]

NAME = "host"
HELP = "send inputs to a board over its serial port and check every answer against the model"


def add_arguments(parser):
    parser.add_argument("--port", required=True, help="serial port, e.g. /dev/ttyUSB1 or COM3")
    parser.add_argument("--baud", type=positive_int, default=115200,
                        help="UART bit rate (default 115200)")
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--words", nargs="+", type=int, metavar="N",
                     help="START STOP [STEP] of raw input words (STOP excluded; waves' "
                          "--range is x values)")
    src.add_argument("--file", help="file of inputs, one per line")
    parser.add_argument("--input-format", default="SQ(4,12)",
                        help="the board's input format (default SQ(4,12))")
    parser.add_argument("--output-bits", type=int, default=16,
                        help="the board's output width (default 16)")
    parser.add_argument("--order", type=int, default=None,
                        help="the board's Taylor order (default: the smallest that meets the "
                             "error bound, as build chose it)")
    parser.add_argument("--coefficients", default="table",
                        help="the board's coefficients (default table)")
    parser.add_argument("--rounding", default="faithful", choices=("faithful", "correct"),
                        help="the board's rounding (default faithful)")
    from sigmoid_hw.model.exact import FUNCTION_NAMES
    parser.add_argument("--function", default="sigmoid", choices=FUNCTION_NAMES,
                        help="the board's function (build --function; default sigmoid)")
    parser.add_argument("--method", default=None,
                        choices=("table", "multipartite", "piecewise"),
                        help="the board's method design (build --design METHOD; default: the "
                             "seed's pipeline)")
    parser.add_argument("--threshold", default="1/2",
                        help="the board's threshold t (default 1/2)")
    parser.add_argument("--window", type=positive_int, default=4,
                        help="requests in flight, at least 1 (default 4)")
    parser.add_argument("--timeout", type=positive_float, default=1.0,
                        help="seconds to wait for an answer, above 0 (default 1)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def _words(args, fmt):
    if args.words is not None:
        if not 2 <= len(args.words) <= 3:
            raise ValueError("--words takes START STOP [STEP], not {} numbers"
                             .format(len(args.words)))
        words = list(range(*args.words))
        fmt.check_raw(np.asarray(words, dtype=np.int64), "input word")
        return words
    with open(args.file) as f:
        return read_inputs(f, fmt)


def _reason(exc):
    """Why the port did not open, without pyserial's repetitions of the port's name."""
    if isinstance(getattr(exc, "errno", None), int):
        return os.strerror(exc.errno)
    return str(exc)


def _method_model(args, fmt):
    """The board's method unit (build --design METHOD): its model and output width."""
    from sigmoid_hw.hw.designs import design, make_design
    unit = make_design(args.method, function=args.function, input_format=fmt,
                       output_bits=args.output_bits, rounding=args.rounding)
    width = unit.output_format.width
    return (lambda x: (np.asarray(design(args.method).model(unit, x)), width)), width


def run(args):
    from sigmoid_hw.model.pipeline import derive_params
    from sigmoid_hw.model.threshold import threshold_limit

    try:
        fmt = parse_format(args.input_format)
        if getattr(args, "method", None) is not None:
            params, out_bits = _method_model(args, fmt)
        elif args.function == "sigmoid":
            params = derive_params(fmt, args.output_bits, args.order, args.coefficients,
                                   rounding=args.rounding)
            out_bits = params.output_bits
        else:
            from sigmoid_hw.model.functions import derive_function
            params = derive_function(args.function, fmt, args.output_bits, args.rounding)
            out_bits = params.output_formats[0].width
        limit = threshold_limit(parse_threshold(args.threshold, runtime=False), fmt)
        words = _words(args, fmt)
    except (TypeError, ValueError) as exc:
        print("sigmoid-hw host: error: {}".format(exc), file=sys.stderr)
        return 2
    protocol = LinkProtocol(fmt.width, out_bits)

    import serial  # pyserial, only needed to talk to a board
    try:
        port = serial.Serial(args.port, args.baud, timeout=0.05)
    except (serial.SerialException, OSError, ValueError) as exc:
        # a missing device, or a file that is not a serial port (/dev/null): one line
        print("sigmoid-hw host: error: --port {!r} cannot be opened as a serial port: {}"
              .format(args.port, _reason(exc)), file=sys.stderr)
        return 2
    start = time.monotonic()
    with port:
        port.reset_input_buffer()

        def progress(done, total):
            if not args.json and (done % 1024 == 0 or done == total):
                print("\r{}/{} words".format(done, total), end="", file=sys.stderr, flush=True)

        ledger = exchange(port, words, protocol, window=args.window, timeout=args.timeout,
                          progress=progress)
    seconds = time.monotonic() - start
    mismatches = check_answers(words, ledger, params, limit)
    summary = summarize(words, ledger, mismatches, seconds)
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

"""The defects a new user met on a fresh clone (issue 22), one test or more each.

Each command error is one line on stderr, ``sigmoid-hw COMMAND: error: ...``,
with a non-zero exit code, and names the parameter and its value.
"""

import re

import pytest

from scripts.cli import build_parser, main


def _error(capsys, argv):
    """Run the command; return its one-line error (exit code 2, no traceback)."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.rstrip("\n")


def _parse_error(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.rstrip("\n")


# 1. host: a port that is no serial port, and --window / --timeout below their minimum.

@pytest.mark.parametrize("port, reason", [
    ("/nonexistent/ttyUSB9", "No such file or directory"),
    ("/dev/null", ".+"),
])
def test_host_port_that_does_not_open_is_one_line(capsys, port, reason):
    err = _error(capsys, ["host", "--port", port, "--range", "0", "4"])
    assert re.fullmatch(
        r"sigmoid-hw host: error: --port '{}' cannot be opened as a serial port: {}".format(
            port, reason), err), err


@pytest.mark.parametrize("option, value, message", [
    ("--window", "0", "must be an integer of at least 1, not '0'"),
    ("--window", "-3", "must be an integer of at least 1, not '-3'"),
    ("--timeout", "-1", "must be a number above 0, not '-1'"),
    ("--timeout", "0", "must be a number above 0, not '0'"),
    ("--timeout", "nan", "must be a number above 0, not 'nan'"),
    ("--baud", "0", "must be an integer of at least 1, not '0'"),
])
def test_host_window_timeout_baud_have_a_minimum(capsys, option, value, message):
    err = _parse_error(capsys, ["host", "--port", "x", "--range", "0", "4", option, value])
    assert err == "sigmoid-hw host: error: argument {}: {}".format(option, message)


class _SilentPort:
    def write(self, data):
        pass

    def read(self, n):
        return b""


def test_exchange_refuses_a_window_that_sends_nothing():
    # window 0 never sent a word and never gave up: the host hung.
    from link.host import exchange
    from link.protocol import LinkProtocol
    proto = LinkProtocol(16, 16)
    with pytest.raises(ValueError, match=r"^Window must be at least 1, not 0$"):
        exchange(_SilentPort(), [1, 2], proto, window=0, timeout=0.01)
    with pytest.raises(TypeError, match=r"^Window must be an integer, not 2\.0$"):
        exchange(_SilentPort(), [1, 2], proto, window=2.0, timeout=0.01)
    with pytest.raises(ValueError, match=r"^Timeout must be a number of seconds above 0, "
                                         r"not -1$"):
        exchange(_SilentPort(), [1, 2], proto, window=1, timeout=-1)


# 6. Paths that cannot be written or read: one line naming the path.

@pytest.mark.parametrize("argv, path, reason", [
    (["waves", "--out", "/dev/null/x"], "/dev/null/x", "Not a directory"),
    (["plot", "--out", "/dev/null/x"], "/dev/null/x", "Not a directory"),
    (["synth", "--device", "up5k", "--build-dir", "/dev/null/x"], "/dev/null/x",
     "Not a directory"),
    (["host", "--port", "x", "--file", "/nonexistent"], "/nonexistent",
     "No such file or directory"),
])
def test_bad_paths_are_one_line(capsys, argv, path, reason):
    err = _error(capsys, argv)
    assert err == "sigmoid-hw {}: error: {}: '{}'".format(argv[0], reason, path)


# 12. -inf is a value, not an option; host takes inf like synth and threshold.

@pytest.mark.parametrize("text", ["-inf", "-Infinity", "-3/4", "-1e-3", "-0.5"])
def test_negative_thresholds_are_values(text):
    parser = build_parser()
    assert parser.parse_args(["threshold", text]).threshold == text
    args = parser.parse_args(["synth", "--device", "up5k", "--design", "comparator",
                              "--threshold", text])
    assert args.threshold == text


def test_host_takes_inf_as_a_threshold(capsys):
    # The threshold is read before the port is opened: inf passes that step,
    # so the error is the port's, not "Invalid literal for Fraction".
    for text in ("inf", "-inf"):
        err = _error(capsys, ["host", "--port", "/nonexistent/tty", "--range", "0", "4",
                              "--threshold", text])
        assert err.startswith("sigmoid-hw host: error: --port "), err
    err = _error(capsys, ["host", "--port", "/nonexistent/tty", "--range", "0", "4",
                          "--threshold", "nan"])
    assert err == "sigmoid-hw host: error: Threshold must not be NaN, not nan"

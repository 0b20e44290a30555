"""Progress bars for the long commands: on a terminal only, on stderr, never in the output.

A bar is shown only when stderr is a terminal (``sys.stderr.isatty()``) and
the caller has not turned it off (``--no-progress``); otherwise ``bar``
returns tqdm's disabled bar, whose methods do nothing, so the callers never
test whether a bar is shown. Standard output (tables, ``--json``) is never
touched.
"""

import contextlib
import sys
import threading

from tqdm import tqdm

__all__ = ["bar", "ticking", "shown", "write"]


def shown(enabled=True):
    """Whether a bar would be drawn: ``enabled`` and stderr is a terminal."""
    return bool(enabled) and sys.stderr.isatty()


def bar(total=None, desc=None, *, unit="it", enabled=True):
    """A tqdm bar on stderr (disabled, doing nothing, unless ``shown(enabled)``)."""
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False,
                dynamic_ncols=True, disable=not shown(enabled))


def write(text, file=None):
    """Print ``text`` (to stdout by default) without breaking a bar being drawn."""
    tqdm.write(text, file=sys.stdout if file is None else file)
    (sys.stdout if file is None else file).flush()


@contextlib.contextmanager
def ticking(progress, interval=1.0):
    """Redraw ``progress`` every ``interval`` seconds while a blocking step runs.

    The elapsed time keeps moving during a single long call (a synthesis, a
    place and route) that gives the bar no updates of its own.
    """
    if progress.disable:
        yield progress
        return
    stop = threading.Event()

    def tick():
        while not stop.wait(interval):
            progress.refresh()

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield progress
    finally:
        stop.set()
        thread.join()

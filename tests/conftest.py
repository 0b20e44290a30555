"""Test set-up: the project root and this folder on sys.path.

The tests are grouped by area (``model/``, ``hw/``, ``link/``, ``flow/``,
``cli/``); the shared helpers (``oracle``, ``uart_host``) live here, beside
this file, and are imported by name from every group.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for path in (ROOT, HERE):
    if path not in sys.path:
        sys.path.insert(0, path)

"""What a measured file is stamped with besides its command (``sigmoid_hw.scripts.options
.command_line``): the checkout's commit."""

import subprocess

__all__ = ["commit"]


def commit():
    """The checkout's short commit; "missing" where git cannot say (no checkout, no git)."""
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "missing"

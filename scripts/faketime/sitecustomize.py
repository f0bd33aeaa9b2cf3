"""Loaded only under scripts/test-at-times.sh (it puts this folder on PYTHONPATH).

libfaketime 0.9.10 (Debian 12) with FAKETIME_DONT_FAKE_MONOTONIC fails clock_nanosleep(CLOCK_MONOTONIC,
TIMER_ABSTIME) with EINVAL, and that is how CPython 3.11+ implements time.sleep, so every sleep (and
subprocess.run with a timeout) would raise. The monotonic clock must stay real: with it faked, waits on
locks and events never end. select() with a relative timeout passes through libfaketime untouched.
"""

import select
import time


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        select.select([], [], [], left)


time.sleep = _sleep

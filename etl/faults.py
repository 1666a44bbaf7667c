"""Pause points for the fault tests (tests/test_faults.py): with ATLAS_PAUSE_AT=<stage> a refresh writes
``paused-<stage>`` into the data folder and waits there, so a test can kill it, or stop its database,
at exactly that stage. Unset, as everywhere outside those tests, a pause point costs one lookup."""
from __future__ import annotations

import os
import time

import config

STAGES = ("reading", "tagging", "writing", "flip", "pruning")


def checkpoint(stage: str) -> None:
    if os.environ.get("ATLAS_PAUSE_AT") != stage:
        return
    marker = config.data_dir() / f"paused-{stage}"
    marker.write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(float(os.environ.get("ATLAS_PAUSE_SECONDS", "120")))

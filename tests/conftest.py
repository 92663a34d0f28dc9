"""Fixtures shared by every kind of test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
OUTPUT = ROOT / "test-output"

# Commands the tests run (`dateline index rebuild`, `add`, in this process and in subprocesses) leave sentence
# vectors out: embedding every test corpus would take minutes on two cores. tests/integration/test_hybrid.py
# embeds with the real model where ranking is what it tests.
os.environ["DATELINE_EMBED"] = "0"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests leave files a person may want to look at (screenshots, reports)."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


# Property tests explore new examples on every local run; CI replays a fixed sequence so that a run's verdict
# depends on the code, not on the draw.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

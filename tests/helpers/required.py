"""Real parts the tests need (PostgreSQL, Chromium): skipped locally when missing, fatal in CI.

Kept out of tests/conftest.py so helpers that conftest itself imports (the embedded PostgreSQL)
can use it without an import cycle; conftest re-exports both names.
"""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    """Skip locally; in CI (CI=true) a real part that cannot start fails the run."""
    if IN_CI:
        pytest.fail(f"required test service unavailable in CI: {reason}")
    pytest.skip(reason)

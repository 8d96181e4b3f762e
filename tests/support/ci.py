"""What CI demands: a missing system piece (chromium, PostgreSQL, nginx) skips a test on a laptop and fails
it under CI=true."""
from __future__ import annotations

import os

import pytest

__all__ = ["IN_CI", "require"]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(ok: bool, reason: str) -> None:
    """Skip on a laptop, fail under CI=true."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)

"""The repository's root folder, for tests that read its files (pages, samples, fixtures) or run its scripts."""
from __future__ import annotations

from pathlib import Path

__all__ = ["ROOT"]

ROOT = Path(__file__).resolve().parents[2]

"""The AppTest set-up of the app's pages (tests/test_app_pages.py): data_dir points the app at a fresh
folder, texts reads what a page shows."""
from __future__ import annotations

import pytest

__all__ = ["data_dir", "texts"]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SHOPCAST_TIMEZONE", "UTC")
    return tmp_path


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [e.value for e in at.error] + [t.value for t in at.title]
    return "\n".join(str(p) for p in parts)

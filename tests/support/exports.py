"""The deferred-download fixture of tests/test_exports_charts.py: the download callables a page
registers, by file name, so a test can call them."""
from __future__ import annotations

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

__all__ = ["deferred"]


@pytest.fixture
def deferred(monkeypatch) -> dict[str, object]:
    """The callables handed to st.download_button, by file name (built only when clicked)."""
    made: dict[str, object] = {}
    real = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        made[file_name] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)
    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return made

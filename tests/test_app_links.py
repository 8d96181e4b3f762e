"""Values read from a link are validated: a value a page's control refuses is named in a notice and
never used; a valid link shows no notice; a tampered link never shows a traceback."""
from __future__ import annotations

import pytest

from tests.support.app_views import app, env  # noqa: F401 - the fixture


@pytest.mark.parametrize("page, query, named", [
    ("pages/overview_page.py", {"range": "Bogus", "compare": "None"}, ["range=Bogus"]),
    ("pages/overview_page.py", {"channel": "'; drop table orders; --"}, ["channel='; drop table orders; --"]),
    ("pages/cohorts_page.py", {"range": "Last 90 days", "cmetric": "Profit"}, ["cmetric=Profit"]),
    ("pages/explore_page.py", {"xgrain": "fortnight"}, ["xgrain=fortnight"]),
    ("pages/data_page.py", {"src": "Nonsense", "preview": "<script>"}, ["src=Nonsense"]),
])
def test_a_refused_link_value_is_named(env, page, query, named):  # noqa: F811
    at = app(page, query)
    warnings = " ".join(w.value for w in at.warning)
    for item in named:
        assert item in warnings, warnings
    assert "Ignored from the link" in warnings
    assert not at.exception


def test_a_valid_link_shows_no_notice_and_a_later_change_shows_none(env):  # noqa: F811
    at = app("pages/overview_page.py", {"range": "Last 90 days"})
    assert not [w for w in at.warning if "Ignored from the link" in w.value]
    assert at.selectbox(key="range").value == "last_90"
    at.selectbox(key="range").set_value("last_7").run()
    assert not [w for w in at.warning if "Ignored from the link" in w.value]

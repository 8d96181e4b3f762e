"""Saved views in the warehouse (DuckDB, PostgreSQL and ClickHouse): save, list, open, rename, delete, rules."""
from __future__ import annotations

from datetime import datetime

import pytest

from lib.sharing.views import ViewError, delete_view, get_view, list_views, save_view, update_view

PARAMS = [("range", "Last 30 days"), ("ch", "email"), ("ch", "organic"), ("meeting", "1")]


def test_save_list_open_rename_delete(wh):
    a = save_view(wh, name="Monday KPIs", page="overview", params=PARAMS, data_version="abc123abc123",
                  note="for the Monday call", now=datetime(2026, 4, 1, 9))
    b = save_view(wh, name="Checkout funnel", page="funnel", params=[("steps", "page_view")],
                  data_version="abc123abc123", now=datetime(2026, 4, 2, 9))
    assert a != b and len(a) == 8 and a.isalnum()
    v = get_view(wh, a)
    assert v["name"] == "Monday KPIs" and v["page"] == "overview" and v["note"] == "for the Monday call"
    assert v["params"] == [("range", "Last 30 days"), ("ch", "email"), ("ch", "organic")]   # meeting dropped
    assert v["data_version"] == "abc123abc123"
    assert list_views(wh)["name"].tolist() == ["Checkout funnel", "Monday KPIs"]
    update_view(wh, a, name="Weekly KPIs", note="", now=datetime(2026, 4, 3, 9))
    assert get_view(wh, a)["name"] == "Weekly KPIs" and get_view(wh, a)["note"] == ""
    assert list_views(wh)["name"].tolist() == ["Weekly KPIs", "Checkout funnel"]
    assert delete_view(wh, a) is True and delete_view(wh, a) is False
    with pytest.raises(LookupError, match="No saved view"):
        get_view(wh, a)
    with pytest.raises(LookupError, match="not a saved view"):
        get_view(wh, "'; drop")


def test_the_same_view_saved_twice_at_once_gets_two_ids(wh):
    t = datetime(2026, 4, 1, 9)
    ids = {save_view(wh, name="Same", page="funnel", params=[], data_version="v", now=t) for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.parametrize("kw, message", [
    ({"name": ""}, "needs a name"),
    ({"name": "x" * 81}, "1 to 80"),
    ({"note": "n" * 501}, "at most 500"),
    ({"params": [("db_password", "hunter2")]}, "looks like a secret"),
    ({"params": [("q", "v" * 301)]}, "too long"),
    ({"page": "../etc"}, "Unknown page"),
])
def test_bad_views_are_refused(wh, kw, message):
    args = {"name": "V", "page": "overview", "params": [], "data_version": "v", **kw}
    with pytest.raises(ViewError, match=message):
        save_view(wh, **args)
    assert list_views(wh).empty


def test_concurrent_saves_from_many_sessions_all_land(wh):
    from concurrent.futures import ThreadPoolExecutor

    from lib import pricing
    from lib.pricing.scenario import Scenario

    t = datetime(2026, 4, 1, 9)

    def one(i: int) -> str:
        pricing.save_scenario(wh, Scenario("Shared name", "2026-04-01", "2026-04-02", price_change_pct=i))
        return save_view(wh, name=f"View {i % 3}", page="overview", params=[("i", str(i))], data_version="v", now=t)

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(one, range(24)))
    assert len(set(ids)) == 24 and len(list_views(wh)) == 24
    assert len(pricing.list_scenarios(wh)) == 1                  # one name: the last save wins, no error
    assert pricing.load_scenario(wh, "Shared name").price_change_pct in set(range(24))

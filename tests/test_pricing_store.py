"""Saved scenarios in the warehouse, on DuckDB, PostgreSQL and ClickHouse."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import update

from lib import pricing
from lib.pricing.scenario import Promotion, Scenario, ScenarioError
from lib.warehouse.tables import scenarios

SPRING = Scenario("Spring sale", date(2026, 4, 1), date(2026, 4, 14), categories=("Kitchen",),
                  price_change_pct=-5, promotions=(Promotion(20, date(2026, 4, 3), date(2026, 4, 9), "bundle"),))


def test_save_list_open_edit_rename_delete(wh):
    pricing.save_scenario(wh, SPRING, now=datetime(2026, 3, 1, 9))
    pricing.save_scenario(wh, Scenario("Email only", date(2026, 4, 1), date(2026, 4, 2), skus=("A", "B"),
                                       channels=("email",)), now=datetime(2026, 3, 2, 9))
    listed = pricing.list_scenarios(wh)
    assert listed["name"].tolist() == ["Email only", "Spring sale"]          # newest first
    assert listed.set_index("name").at["Spring sale", "scope"] == "categories Kitchen"
    assert listed.set_index("name").at["Email only", "scope"] == "2 SKUs via email"
    assert listed.set_index("name").at["Spring sale", "promotions"] == 1
    assert pricing.load_scenario(wh, "Spring sale") == SPRING

    edited = Scenario(**{**SPRING.__dict__, "price_change_pct": -10.0})
    pricing.save_scenario(wh, edited, now=datetime(2026, 3, 3, 9))           # same name: replaced
    assert pricing.load_scenario(wh, "Spring sale").price_change_pct == -10.0
    assert len(pricing.list_scenarios(wh)) == 2
    with pytest.raises(ScenarioError, match="already exists"):
        pricing.save_scenario(wh, edited, overwrite=False)

    pricing.rename_scenario(wh, "Spring sale", "Spring sale v2")
    assert pricing.load_scenario(wh, "Spring sale v2").price_change_pct == -10.0
    with pytest.raises(ScenarioError, match="already exists"):
        pricing.rename_scenario(wh, "Spring sale v2", "Email only")
    assert pricing.delete_scenario(wh, "Spring sale v2") is True
    assert pricing.delete_scenario(wh, "Spring sale v2") is False
    with pytest.raises(ScenarioError, match="No saved scenario"):
        pricing.load_scenario(wh, "Spring sale v2")
    assert pricing.list_scenarios(wh)["name"].tolist() == ["Email only"]


def test_a_tampered_saved_scenario_is_refused_by_name_and_listed_as_unreadable(wh):
    pricing.save_scenario(wh, SPRING)
    with wh.engine.begin() as conn:
        conn.execute(update(scenarios).values(spec_json='{"name": "Spring sale", "start": "soon"}'))
    with pytest.raises(ScenarioError, match="'Spring sale' cannot be opened"):
        pricing.load_scenario(wh, "Spring sale")
    row = pricing.list_scenarios(wh).iloc[0]
    assert row["name"] == "Spring sale" and not row["valid"] and row["scope"] == "(cannot be read)"


def test_saved_scenarios_survive_reopening_the_warehouse(wh_url):
    from lib.warehouse import Warehouse

    w1 = Warehouse.open(wh_url)
    pricing.save_scenario(w1, SPRING)
    w1.dispose()
    w2 = Warehouse.open(wh_url)
    try:
        assert pricing.load_scenario(w2, "Spring sale") == SPRING
    finally:
        w2.dispose()

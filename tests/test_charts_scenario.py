"""Scenario charts: the waterfall's floating bars by hand, and what each chart draws."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib import pricing
from lib.charts import scenario as charts
from lib.charts.common import COMPARISON, CURRENT, DOWN, UP
from lib.pricing.scenario import Scenario
from lib.pricing.simulation import WATERFALL_STEPS
from tests.test_charts_replenish import datasets
from tests.test_pricing_scenario import run
from tests.test_pricing_stock import sim_a


def test_waterfall_bars_float_from_the_baseline_to_the_scenario():
    wf = pd.DataFrame({"step": WATERFALL_STEPS,
                       "amount": [100.0, -20.0, 35.0, -5.0, 110.0],
                       "kind": ["total", "change", "change", "change", "total"]})
    d = datasets(charts.margin_waterfall(wf))[0]
    # the changes span 80..115; the axis is zoomed to 80 - 0.6 x 35 = 59 and the totals rise from there
    assert d["start"].tolist() == [59.0, 100.0, 80.0, 115.0, 59.0]
    assert d["end"].tolist() == [100.0, 80.0, 115.0, 110.0, 110.0]
    assert d["color"].tolist() == [COMPARISON, DOWN, UP, DOWN, COMPARISON]
    assert d["label"].tolist() == ["$100", "−$20", "+$35", "−$5", "$110"]


def test_daily_chart_draws_baseline_and_scenario_with_bands_for_units():
    totals = pricing.daily_totals(sim_a())
    chart = charts.daily(totals, "units")
    d = datasets(chart)[0]
    assert set(d["series"]) == {charts.BASELINE, charts.SCENARIO}
    scen = d[d["series"] == charts.SCENARIO]["value"].tolist()
    assert scen == pytest.approx([10 * 0.9 ** -2 + 5 + 2] * 10)
    spec = chart.to_dict()
    assert spec["layer"][0]["mark"]["type"] == "area"
    assert spec["layer"][1]["encoding"]["color"]["scale"]["range"] == [COMPARISON, CURRENT]
    money = charts.daily(totals, "margin").to_dict()
    assert money["mark"]["type"] == "line" and money["encoding"]["y"]["axis"]["format"] == "$,.0f"
    with pytest.raises(ValueError, match="metric"):
        charts.daily(totals, "profit")


def test_compare_charts_show_each_scenarios_change():
    a = sim_a()
    n = run(Scenario("Nothing", date(2026, 4, 1), date(2026, 4, 10)))
    table = pricing.compare({"A -10%": a, "Nothing": n})
    d = datasets(charts.compare_bars(table))[0]
    units = d[d["measure"] == "Units"].set_index("scenario")["change"]
    assert units["A -10%"] == pytest.approx(10 * (10 * 0.9 ** -2 - 10))
    assert units["Nothing"] == 0.0
    lines = datasets(charts.compare_daily({"A -10%": pricing.daily_totals(a)}))[0]
    assert list(dict.fromkeys(lines["series"])) == [charts.BASELINE, "A -10%"]
    assert charts.compare_bars(table.iloc[0:0]).to_dict()["mark"]["type"] == "text"

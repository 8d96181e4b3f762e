"""Pricing charts: what each chart draws, read back from the Vega-Lite spec."""
from __future__ import annotations

import math

import pandas as pd

from lib.charts import pricing as charts
from lib.charts.common import COMPARISON, PALETTE
from lib.pricing.elasticity import METHOD_CATEGORY, METHOD_SKU

NAN = math.nan


def datasets(chart) -> dict[str, pd.DataFrame]:
    spec = chart.to_dict()
    return {name: pd.DataFrame(rows) for name, rows in spec["datasets"].items()}


def layer_data(chart, i: int) -> pd.DataFrame:
    spec = chart.to_dict()
    return pd.DataFrame(spec["datasets"][spec["layer"][i]["data"]["name"]])


def skus() -> pd.DataFrame:
    return pd.DataFrame({
        "sku": ["A", "B", "C", "D", "E"], "category": ["Tees", "Mugs", "Mugs", "Tees", "Mugs"],
        "elasticity": [-0.8, -2.5, -1.2, -1.9, NAN], "lo": [-1.4, -3.1, -2.8, -2.4, NAN],
        "hi": [-0.2, -1.9, 0.4, -1.4, NAN], "n_obs": [30, 40, 12, 26, 0],
        "method": [METHOD_SKU, METHOD_SKU, METHOD_CATEGORY, METHOD_SKU, METHOD_CATEGORY],
        "price_cv": [0.05, 0.08, 0.0, 0.04, 0.0]})


def test_elasticity_chart_sorts_by_category_then_elasticity_and_drops_missing():
    chart = charts.elasticity_chart(skus())
    spec = chart.to_dict()
    unit, bars, points = spec["layer"]
    # Mugs first (B -2.5, C -1.2), then Tees (D -1.9, A -0.8); E has no estimate
    assert points["encoding"]["y"]["sort"] == ["B", "C", "D", "A"]
    assert bars["encoding"]["y"]["sort"] == ["B", "C", "D", "A"]
    data = layer_data(chart, 2).set_index("sku")
    assert sorted(data.index) == ["A", "B", "C", "D"]
    assert data.loc["C", ["elasticity", "lo", "hi"]].tolist() == [-1.2, -2.8, 0.4]
    assert data["basis"].to_dict() == {"A": charts.OWN, "B": charts.OWN, "C": charts.FALLBACK, "D": charts.OWN}


def test_elasticity_chart_encodings():
    spec = charts.elasticity_chart(skus()).to_dict()
    unit, bars, points = spec["layer"]
    assert (bars["mark"]["type"], bars["encoding"]["x"]["field"], bars["encoding"]["x2"]["field"]) == \
        ("rule", "lo", "hi")
    assert points["mark"]["type"] == "point" and points["encoding"]["x"]["field"] == "elasticity"
    color = points["encoding"]["color"]
    assert color["field"] == "category"
    assert color["scale"] == {"domain": ["Mugs", "Tees"], "range": PALETTE[:2]}
    assert points["encoding"]["fill"]["condition"]["scale"] == color["scale"]   # filled = own estimate
    assert points["encoding"]["shape"]["scale"]["domain"] == [charts.OWN, charts.FALLBACK]
    assert unit["mark"]["type"] == "rule" and unit["mark"]["color"] == COMPARISON
    assert pd.DataFrame(spec["datasets"][unit["data"]["name"]])["x"].tolist() == [-1.0]


def test_elasticity_chart_without_estimates_is_a_note():
    none = skus().assign(elasticity=NAN)
    spec = charts.elasticity_chart(none).to_dict()
    assert spec["mark"]["type"] == "text"
    assert "No elasticity estimate" in next(iter(spec["datasets"].values()))[0]["text"]


def by_depth() -> pd.DataFrame:
    return pd.DataFrame({"type": ["percent_off", "percent_off", "clearance", None],
                         "depth_bucket": ["30+", "10-20", "30+", "20-30"], "promos": [3, 5, 2, 1],
                         "lift": [2.6, 1.3, 1.9, 0.9], "lift_lo": [2.1, 1.1, 1.2, 0.5],
                         "lift_hi": [3.2, 1.6, 2.7, 1.4]})


def test_lift_chart_data_and_encodings():
    chart = charts.lift_chart(by_depth())
    spec = chart.to_dict()
    one, bars, points = spec["layer"]
    assert layer_data(chart, 0)["x"].tolist() == [1.0]                # the no-lift rule
    assert one["mark"]["type"] == "rule"
    data = layer_data(chart, 2)
    assert data["type"].tolist() == ["Percent off", "Percent off", "Clearance", charts.NO_TYPE]   # in words
    assert data["lift"].tolist() == [2.6, 1.3, 1.9, 0.9]
    assert points["encoding"]["x"]["field"] == "lift"
    assert (bars["encoding"]["x"]["field"], bars["encoding"]["x2"]["field"]) == ("lift_lo", "lift_hi")
    y = points["encoding"]["y"]
    assert y["field"] == "depth_bucket" and y["sort"] == ["10-20", "20-30", "30+"]   # depth order, not text
    assert points["encoding"]["yOffset"]["field"] == "type"
    color = points["encoding"]["color"]
    assert color["field"] == "type" and color["scale"]["domain"] == ["Clearance", charts.NO_TYPE, "Percent off"]


def test_lift_chart_empty_is_a_note():
    spec = charts.lift_chart(by_depth().iloc[:0]).to_dict()
    assert spec["mark"]["type"] == "text"


def test_a_channel_keeps_its_colour_whatever_else_is_shown():
    from lib.charts import common

    one = common.segment_scale(["email", "organic"]).to_dict()
    two = common.segment_scale(["organic", "newsletter", "email", "tiktok"]).to_dict()
    colours_one = dict(zip(one["domain"], one["range"], strict=True))
    colours_two = dict(zip(two["domain"], two["range"], strict=True))
    assert colours_one["email"] == colours_two["email"] == common.KNOWN_SEGMENTS["email"]
    assert colours_one["organic"] == colours_two["organic"] == common.KNOWN_SEGMENTS["organic"]
    # a value nobody listed gets the same palette colour every time
    assert common.segment_scale(["tiktok"]).to_dict()["range"] == [colours_two["tiktok"]]
    assert colours_two["tiktok"] in common.PALETTE

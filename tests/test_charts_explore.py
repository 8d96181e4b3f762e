"""Explore charts (lib/charts/explore.py): channels in words and in their colour of every page."""
from __future__ import annotations

import pandas as pd

from lib.charts import explore as charts
from lib.charts.common import KNOWN_SEGMENTS, PALETTE


def _data(spec: dict) -> pd.DataFrame:
    return pd.DataFrame(spec["datasets"][spec["data"]["name"]])


def test_lines_by_channel_read_words_in_the_channel_colours():
    df = pd.DataFrame({"period": pd.to_datetime(["2026-11-02", "2026-11-02", "2026-11-09", "2026-11-09"]),
                       "channel": ["paid_search", "organic", "paid_search", "organic"], "value": [1.0, 2.0, 3.0, 4.0]})
    spec = charts.lines_chart(df, "channel", "Revenue", "money", "Channel").to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == ["Organic", "Paid search"]
    assert scale["range"] == [KNOWN_SEGMENTS["organic"], KNOWN_SEGMENTS["paid_search"]]
    assert sorted(set(_data(spec)["shown"])) == ["Organic", "Paid search"]


def test_categories_keep_their_names_and_the_palette():
    df = pd.DataFrame({"category": ["Toys", "Bath"], "value": [5.0, 3.0]})
    spec = charts.bars_chart(df, "category", "Revenue", "money", "Category").to_dict()
    assert "color" not in spec["encoding"] and _data(spec)["shown"].tolist() == ["Toys", "Bath"]
    lines = charts.lines_chart(df.assign(period=pd.Timestamp("2026-11-02")), "category", "Revenue", "money",
                               "Category").to_dict()
    assert lines["encoding"]["color"]["scale"]["range"] == PALETTE[:2]


def test_bars_by_channel_and_the_total():
    df = pd.DataFrame({"channel": ["email", "paid_search"], "value": [5.0, 3.0]})
    spec = charts.bars_chart(df, "channel", "Orders", "count", "Channel").to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {"Email": KNOWN_SEGMENTS["email"],
                                                                        "Paid search": KNOWN_SEGMENTS["paid_search"]}
    total = charts.bars_chart(pd.DataFrame({"value": [8.0]}), None, "Orders", "count").to_dict()
    assert _data(total)["shown"].tolist() == ["All"]

"""Scenario charts: the waterfall's floating bars by hand, and what each chart draws."""
from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
import vl_convert

from lib import pricing
from lib.charts import scenario as charts
from lib.charts.common import COMPARISON, CURRENT, DOWN, UP
from lib.pricing.scenario import Scenario
from lib.pricing.simulation import WATERFALL_STEPS
from tests.support.charts import datasets
from tests.support.scenario import run, sim_a


def _wf(amounts):
    return pd.DataFrame({"step": WATERFALL_STEPS, "amount": amounts,
                         "kind": ["total", "change", "change", "change", "total"]})


def test_waterfall_bars_float_from_zero_when_the_changes_are_large_enough():
    d = datasets(charts.margin_waterfall(_wf([100.0, -20.0, 35.0, -5.0, 110.0])))[0]
    # changes span 80..115, 35% of the 110 margin: the axis starts at zero and the totals rise from it
    assert d["start"].tolist() == [0.0, 100.0, 80.0, 115.0, 0.0]
    assert d["end"].tolist() == [100.0, 80.0, 115.0, 110.0, 110.0]
    assert d["color"].tolist() == [COMPARISON, DOWN, UP, DOWN, COMPARISON]
    assert d["label"].tolist() == ["$100", "−$20", "+$35", "−$5", "$110"]
    spec = charts.margin_waterfall(_wf([100.0, -20.0, 35.0, -5.0, 110.0])).to_dict()
    domain = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert domain[0] == 0.0 and "title" not in spec                 # no note: the axis starts at zero
    # a margin that turns negative: zero stays on the axis, the bars cross it
    neg = datasets(charts.margin_waterfall(_wf([-500.0, -3423.0, 1000.0, 0.0, -2923.0])))[0]
    assert neg["label"].tolist() == ["−$500", "−$3,423", "+$1,000", "$0", "−$2,923"]
    neg_domain = charts.margin_waterfall(_wf([-500.0, -3423.0, 1000.0, 0.0, -2923.0])).to_dict()["layer"][0][
        "encoding"]["x"]["scale"]["domain"]
    assert neg_domain[0] == -3923.0 and neg_domain[1] > 0


def test_a_zoomed_waterfall_says_where_its_axis_starts():
    # changes of a few thousand on a 110k margin span 107,297..111,070 (3.4% of it, under 5%): the axis
    # zooms to 107,297 - 0.6 x 3,773 = 105,033, rounded down to the thousand: 105,000
    ch = charts.margin_waterfall(_wf([110720.0, -3423.0, 3773.0, 0.0, 111070.0]))
    d = datasets(ch)[0]
    assert d["start"].tolist() == [105000.0, 110720.0, 107297.0, 111070.0, 105000.0]
    spec = ch.to_dict()
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"][0] == 105000.0
    assert spec["title"]["text"] == "The axis starts at $105,000, not at zero: the grey totals are cut short"


def _texts(node, ox=0.0, oy=0.0, out=None):
    """Every visible text item of a Vega scenegraph with its absolute position (groups offset their
    children; an axis label the overlap rule hides has opacity 0)."""
    out = [] if out is None else out
    if isinstance(node, dict):
        for item in node.get("items", []) or []:
            x, y = ox + (item.get("x") or 0), oy + (item.get("y") or 0)
            if node.get("marktype") == "text" and item.get("text") not in (None, "") and item.get("opacity") != 0:
                out.append({**item, "ax": x, "ay": y, "role": node.get("role")})
            if node.get("marktype") == "group":
                for child in item.get("items", []) or []:
                    _texts(child, x, y, out)
    return out


def _em(ch: str) -> float:
    """A character's width in em in a sans-serif face (Helvetica/Arial metrics), a little generous."""
    if ch.isdigit() or ch in "$+−-–":
        return 0.56
    if ch in ",.:; ()'":
        return 0.3
    return 0.7 if ch.isupper() else 0.55


def _box(t):
    """A box around a text item (x, y, width, height) by its alignment; 1.05 x the estimated width."""
    size = t.get("fontSize") or 11
    text = t["text"] if isinstance(t["text"], str) else " ".join(t["text"])
    w, h = 1.05 * size * sum(_em(c) for c in text), size
    x0 = {"left": t["ax"], "right": t["ax"] - w}.get(t.get("align"), t["ax"] - w / 2)
    y0 = {"top": t["ay"], "bottom": t["ay"] - h, "middle": t["ay"] - h / 2}.get(t.get("baseline"), t["ay"] - 0.8 * h)
    if t.get("angle") in (90, -90, 270):          # an axis title turned on its side: its bottom faces right
        below = {"bottom": -h, "top": 0.0}.get(t.get("baseline"), -h / 2) * (1 if t["angle"] != 90 else -1)
        x0, y0, w, h = t["ax"] + min(below, below + h), t["ay"] - w / 2, h, w
    return x0 + (t.get("dx") or 0), y0 + (t.get("dy") or 0), w, h


def _overlaps(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.mark.parametrize("amounts", [
    [110720.0, -3423.0, 3773.0, 0.0, 111070.0],        # the demo store's Kitchen promotion (zoomed)
    [100.0, -20.0, 35.0, -5.0, 110.0],                 # large changes (from zero)
    [1234567.0, -40304.0, 55447.0, -1200.0, 1248510.0],
    [-500.0, -3423.0, 1000.0, 0.0, -2923.0],           # a margin that turns negative
])
@pytest.mark.parametrize("width", [260, 420])
def test_waterfall_labels_never_overlap_and_stay_inside_the_chart(amounts, width):
    spec = charts.margin_waterfall(_wf(amounts)).properties(width=width).to_dict()
    scene = json.loads(json.dumps(vl_convert.vegalite_to_scenegraph(json.dumps(spec))))
    texts = _texts(scene["scenegraph"])
    values = [t for t in texts if t["role"] == "mark"]
    assert len(values) == 5 and len(texts) > 5
    boxes = [_box(t) for t in texts]
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            if {texts[i]["role"], texts[j]["role"]} == {"axis-label", "axis-title"}:
                continue        # Vega places an axis title by its labels' measured widths
            assert not _overlaps(a, boxes[j]), (texts[i]["text"], texts[j]["text"])
    plot_left = min(t["ax"] for t in values) - 1
    for t in values:                                   # the value labels are not cut off on the right
        x0, _, w, _ = _box(t)
        assert x0 >= plot_left and x0 + w <= plot_left + width + 1, (t["text"], x0 + w, width)
    ys = sorted(t["ay"] for t in values)                # one row per step
    assert min(b - a for a, b in zip(ys[:-1], ys[1:], strict=True)) >= charts.ROW - 0.5


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

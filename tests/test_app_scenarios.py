"""AppTest for the scenario builder, the comparison and the hand-off to Replenishment, on the tiny store
of tests/test_app_pricing.py (MUG, CUP: Mugs; TEE, CAP: Tees; 140 days to Mar 31, 2026).

The page's numbers must be the library's: the expected values are computed here with lib.pricing on
the same warehouse (the arithmetic itself is worked by hand in tests/test_pricing_scenario.py).
"""
from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd
import pytest
import sklearn.ensemble  # noqa: F401 - loads the OpenMP runtime, so that threadpool_limits can see it
from threadpoolctl import threadpool_limits

from lib import fmt, pricing
from lib.forecast import data
from lib.forecast import store as forecast_store
from lib.pricing.scenario import Promotion, Scenario
from lib.replenish.inputs import items
from lib.settings import Settings
from lib.ui.pricing.inputs import HORIZON
from lib.warehouse import Warehouse
from tests.support.exports import deferred  # noqa: F401 - the download callables, by file name
from tests.support.pricing_store import AS_OF, data_dir, page, seed_store, texts, tiles  # noqa: F401

MUGS = Scenario("Mugs -10%", date(2026, 4, 6), date(2026, 4, 19), categories=("Mugs",), price_change_pct=-10)
TEE_PROMO = Scenario("Tee promo", date(2026, 4, 1), date(2026, 4, 14), skus=("TEE",),
                     promotions=(Promotion(25, date(2026, 4, 3), date(2026, 4, 9)),))


@pytest.fixture(autouse=True)
def _one_thread():
    with threadpool_limits(1):
        yield


@pytest.fixture
def store(data_dir):  # noqa: F811
    seed_store()


def _wh() -> Warehouse:
    return Warehouse.open(settings=Settings.from_env())


def expected(sc: Scenario):
    """The simulation the page should show, built with the library on the same data."""
    wh = _wh()
    try:
        hist = data.history(wh, AS_OF)
        run = forecast_store.store_run(wh, AS_OF)           # the store's one forecast run, as the page reads it
        base = pricing.baseline_frame(run.sku_forecast("day", HORIZON), run.future)
        el = pricing.elasticities(wh, as_of=AS_OF)
        promos = wh.read("select * from promotions")
        prods = data.products(wh)
        lift = pricing.promo_lift(hist, promos)
        sim = pricing.simulate(base, sc, elasticities=el, products=prods,
                               effects=pricing.promo_effects(lift, el, promos, prods),
                               cannibalisation=pricing.cannibalisation_rates(lift),
                               shares=pricing.channel_shares(wh, AS_OF))
        return sim, pricing.stock_impact(sim, items(wh, AS_OF), AS_OF)
    finally:
        wh.dispose()


def test_a_new_scenario_starts_as_the_baseline_and_a_price_cut_shows_its_result(store):
    at = page()
    assert at.selectbox(key="sc").value == ""
    assert at.text_input(key="sc_name").value == "New scenario"
    assert at.multiselect(key="sc_channels").options == ["Store", "Web"]     # channel keys in words
    assert at.date_input(key="sc_window").value == (date(2026, 4, 1), date(2026, 4, 14))
    assert "This scenario changes nothing yet" in texts(at)
    at.multiselect(key="sc_cats").set_value(["Mugs"])
    at.slider(key="sc_price").set_value(-10)
    at.date_input(key="sc_window").set_value((MUGS.start, MUGS.end))
    at.text_input(key="sc_name").set_value(MUGS.name)
    at.run()
    assert not at.exception, at.exception
    sim = expected(MUGS)[0]
    s, whole = pricing.summary(sim, scope_only=True), pricing.summary(sim)
    t = tiles(at)                                   # the tiles count the scope: MUG and CUP over the window
    assert t["Units"] == fmt.count(round(s["units_scenario"]))
    assert t["Gross margin"] == fmt.money(s["margin_scenario"], "USD", 0)
    assert s["units_scenario"] > s["units_base"]                     # cheaper mugs sell more
    assert whole["units_base"] > s["units_base"]                     # TEE and CAP sell too: not in the tiles
    caption = " ".join(c.value for c in at.caption).replace("**", "")
    assert "Scope: Mugs · every channel: 2 SKUs in scope. Window: Apr 06 – Apr 19, 2026 (14 days)." in caption
    assert (f"Whole store over the window (4 SKUs): units {fmt.count(round(whole['units_base']))} → "
            f"{fmt.count(round(whole['units_scenario']))}") in caption
    assert "Apr 06 – Apr 19, 2026 (14 days)" in [m for m in at.metric if m.label == "Units"][0].proto.help
    assert "Result: Mugs -10%" in [h.value for h in at.subheader]
    table = [d.value for d in at.dataframe if "unique_id" in d.value.columns][0]
    assert sorted(table["unique_id"]) == ["CUP", "MUG"]


def test_save_reopen_from_the_link_edit_and_delete(store):
    at = page()
    at.multiselect(key="sc_cats").set_value(["Mugs"])
    at.slider(key="sc_price").set_value(-10)
    at.date_input(key="sc_window").set_value((MUGS.start, MUGS.end))
    at.text_input(key="sc_name").set_value(MUGS.name)
    at.run()
    at.button(key="sc_save").click().run()
    assert not at.exception, at.exception
    assert "Saved “Mugs -10%”." in texts(at)
    assert at.query_params["sc"] == "Mugs -10%"
    wh = _wh()
    assert pricing.load_scenario(wh, "Mugs -10%") == MUGS
    wh.dispose()

    again = page({"sc": "Mugs -10%"})                               # a fresh session opens the link
    assert again.selectbox(key="sc").value == "Mugs -10%"
    assert again.slider(key="sc_price").value == -10
    assert again.multiselect(key="sc_cats").value == ["Mugs"]
    assert again.date_input(key="sc_window").value == (MUGS.start, MUGS.end)
    again.slider(key="sc_price").set_value(-20).run()
    again.button(key="sc_save").click().run()                         # same name: replaces it
    wh = _wh()
    assert pricing.load_scenario(wh, "Mugs -10%").price_change_pct == -20
    wh.dispose()
    again.button(key="sc_delete").click().run()
    assert "Deleted “Mugs -10%”." in texts(again)
    assert again.selectbox(key="sc").value == ""
    wh = _wh()
    assert pricing.list_scenarios(wh).empty
    wh.dispose()


def test_saving_over_another_scenarios_name_is_refused(store):
    wh = _wh()
    pricing.save_scenario(wh, MUGS)
    wh.dispose()
    at = page()
    at.slider(key="sc_price").set_value(5)
    at.text_input(key="sc_name").set_value("Mugs -10%")
    at.run()
    at.button(key="sc_save").click().run()
    assert "A scenario named 'Mugs -10%' already exists" in texts(at)
    wh = _wh()
    assert pricing.load_scenario(wh, "Mugs -10%") == MUGS
    wh.dispose()


def test_a_saved_promotion_scenario_shows_its_promotions_and_stock_consequences(store):
    wh = _wh()
    pricing.save_scenario(wh, TEE_PROMO)
    wh.dispose()
    at = page({"sc": "Tee promo"})
    assert not at.exception, at.exception
    sim, stock = expected(TEE_PROMO)
    s = pricing.summary(sim, scope_only=True)
    assert tiles(at)["Revenue"] == fmt.money(s["revenue_scenario"], "USD", 0)
    assert s["incremental_units"] > 0
    assert "Stock consequences" in [h.value for h in at.subheader]
    shown = [d.value for d in at.dataframe if "extra_qty" in d.value.columns][0]
    assert shown["sku"].tolist() == stock["sku"].tolist()
    assert shown["extra_qty"].tolist() == stock["extra_qty"].tolist()


def test_an_unknown_scenario_in_the_link_is_ignored_with_a_notice(store):
    at = page({"sc": "Nope"})
    assert "no saved scenario is named “Nope”" in texts(at)
    assert at.selectbox(key="sc").value == ""


def test_compare_up_to_four_saved_scenarios(store):
    wh = _wh()
    pricing.save_scenario(wh, MUGS)
    pricing.save_scenario(wh, TEE_PROMO)
    wh.dispose()
    at = page({"tab": "Compare scenarios", "cmp": ["Mugs -10%", "Tee promo"]})
    assert not at.exception, at.exception
    table = [d.value for d in at.dataframe if "scenario" in d.value.columns][0]
    assert table["scenario"].tolist() == ["Baseline", "Mugs -10%", "Tee promo"]
    s = pricing.summary(expected(MUGS)[0])
    row = table.set_index("scenario").loc["Mugs -10%"]
    assert row["units_change"] == pytest.approx(s["units_scenario"] - s["units_base"])
    from lib import reports  # the notebook export of the same view
    from lib.reports.blocks import Table
    wh = _wh()
    try:
        blocks = reports.build("pricing", wh, [("tab", "Compare scenarios"), ("cmp", "Mugs -10%"),
                                               ("cmp", "Tee promo")])
    finally:
        wh.dispose()
    exported = next(b.frame for b in blocks if isinstance(b, Table)).set_index("Scenario")
    assert exported["Units change"].to_dict() == pytest.approx(table.set_index("scenario")["units_change"]
                                                                .drop("Baseline").to_dict())
    empty = page({"tab": "Compare scenarios"})
    assert "Pick saved scenarios" in " ".join(c.value for c in empty.caption)


def test_replenishment_plans_on_a_saved_scenarios_demand(store):
    wh = _wh()
    pricing.save_scenario(wh, TEE_PROMO)
    wh.dispose()
    at = page()
    at.switch_page("pages/replenish_page.py")
    at.query_params["scenario"] = "Tee promo"
    at.run()
    assert not at.exception, at.exception
    assert "Demand includes the pricing scenario “Tee promo”" in texts(at)
    at.button(key="rp_drop_scenario").click().run()                 # back to the baseline, in the address too
    assert "scenario" not in at.query_params and "Demand includes the pricing scenario" not in texts(at)
    bad = page()
    bad.switch_page("pages/replenish_page.py")
    bad.query_params["scenario"] = "Gone"
    bad.run()
    assert "No saved scenario is named 'Gone'" in texts(bad)


def test_unsaved_edits_travel_in_the_link(store):
    at = page()
    at.multiselect(key="sc_cats").set_value(["Mugs"])
    at.slider(key="sc_price").set_value(-10)
    at.date_input(key="sc_window").set_value((MUGS.start, MUGS.end))
    at.text_input(key="sc_name").set_value(MUGS.name).run()
    spec = at.query_params["spec"]
    assert Scenario.from_json(spec) == MUGS
    units = tiles(at)["Units"]
    fresh = page({"spec": spec})                                   # the link, in a new session
    assert fresh.multiselect(key="sc_cats").value == ["Mugs"] and fresh.slider(key="sc_price").value == -10
    assert fresh.text_input(key="sc_name").value == "Mugs -10%" and tiles(fresh)["Units"] == units
    wh = _wh()
    pricing.save_scenario(wh, TEE_PROMO)
    wh.dispose()
    edited = Scenario(**{**TEE_PROMO.__dict__, "price_change_pct": 5.0})
    both = page({"sc": "Tee promo", "spec": edited.to_json()})     # a saved scenario with unsaved edits
    assert both.selectbox(key="sc").value == "Tee promo" and both.slider(key="sc_price").value == 5
    bad = page({"spec": '{"name": "x", "start": "soon"}'})
    assert "the scenario it carries cannot be read" in texts(bad)
    assert bad.text_input(key="sc_name").value == "New scenario"


def test_promotion_dates_are_one_iso_format_in_the_editor(store):
    from lib.ui.pricing.scenarios import ISO_DATE, _read_promotions

    wh = _wh()
    pricing.save_scenario(wh, TEE_PROMO)
    wh.dispose()
    at = page({"sc": "Tee promo"})
    editor = [d for d in at.dataframe if list(d.value.columns) == ["discount_pct", "start", "end", "type"]][0]
    # the grid holds the dates as yyyy-mm-dd text, the format its editor shows and takes (not a date picker,
    # which shows the browser's locale: 04/03/2026)
    assert editor.value[["start", "end"]].values.tolist() == [["2026-04-03", "2026-04-09"]]
    columns = json.loads(editor.proto.columns)
    assert columns["start"]["type_config"]["type"] == "text" and columns["start"]["type_config"]["validate"] == ISO_DATE
    assert columns["end"]["type_config"]["type"] == "text"
    rows = pd.DataFrame({"discount_pct": [15.0, 10.0, 5.0, None], "start": ["2026-12-06", "12/06/2026", "2026-02-30", None],
                         "end": ["2026-12-19", "2026-12-19", "2026-03-02", None], "type": ["percent_off"] * 4})
    promos, problems = _read_promotions(rows)
    assert promos == [Promotion(15, date(2026, 12, 6), date(2026, 12, 19))]
    assert problems == [
        "promotion row 2: the start must be a date written yyyy-mm-dd, like 2026-12-06 (got “12/06/2026”)",
        "promotion row 3: the start must be a date written yyyy-mm-dd, like 2026-12-06 (got “2026-02-30”)"]


def test_result_downloads_are_analysis_ready(store, deferred):  # noqa: F811
    """Point 7: the files hold numbers under the screen's column names, no float noise, the scenario's name,
    scope and window in the file name, and currency formats in the XLSX."""
    import openpyxl

    wh = _wh()
    mug_promo = Scenario("Mug promo", date(2026, 4, 1), date(2026, 4, 14), skus=("MUG",),
                         promotions=(Promotion(20, date(2026, 4, 3), date(2026, 4, 9)),))
    pricing.save_scenario(wh, mug_promo)
    pricing.save_scenario(wh, MUGS)
    wh.dispose()
    at = page({"sc": "Mug promo"})
    assert not at.exception, at.exception
    stem = "scenario-mug-promo-sku-mug-every-channel-2026-04-01-to-2026-04-14"
    assert {f"{stem}-skus.csv", f"{stem}-skus.xlsx", f"{stem}-stock.csv", f"{stem}-stock.xlsx", f"{stem}-daily.csv",
            f"{stem}-daily.xlsx", f"{stem}-margin.svg", f"{stem}-daily-units.png"} <= set(deferred)
    shown = [d.value for d in at.dataframe if "units_change" in d.value.columns][0]
    skus = pd.read_csv(io.BytesIO(deferred[f"{stem}-skus.csv"]()))
    assert list(skus.columns) == ["SKU", "Category", "Role", "Elasticity", "Elasticity from", "Price, baseline",
                                  "Price, scenario", "Units, baseline", "Units, scenario", "Revenue, baseline",
                                  "Revenue, scenario", "Margin, baseline", "Margin, scenario", "Units change",
                                  "Margin change"]
    assert skus["SKU"].tolist() == shown["unique_id"].tolist() and set(skus["Role"]) == {"In scope", "Sibling"}
    assert skus["Units, scenario"].tolist() == pytest.approx(shown["units_scenario"].tolist(), rel=1e-14)
    assert all(pd.api.types.is_numeric_dtype(skus[c]) for c in skus.columns[5:]), skus.dtypes   # not text
    assert all(len(repr(v)) < 20 for v in skus["Revenue, scenario"])                   # no 2158.5299999999997
    # every day of the window for MUG (in scope) and CUP (its sibling): units move only on the promotion's days
    daily = pd.read_csv(io.BytesIO(deferred[f"{stem}-daily.csv"]()), parse_dates=["Day"])
    assert len(daily) == 2 * 14 and set(daily["SKU"]) == {"MUG", "CUP"}
    assert dict(zip(daily["SKU"], daily["Role"], strict=True)) == {"MUG": "In scope", "CUP": "Sibling"}
    moved = daily[daily["Units, scenario"] != daily["Units, baseline"]]
    assert set(moved["Day"]) == set(pd.date_range("2026-04-03", "2026-04-09"))
    book = openpyxl.load_workbook(io.BytesIO(deferred[f"{stem}-skus.xlsx"]()))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    money = sheet.cell(row=2, column=header.index("Margin change") + 1)
    assert isinstance(money.value, float) and money.number_format == '"$"#,##0.00'
    assert sheet.cell(row=2, column=header.index("Units change") + 1).number_format == "#,##0"
    stock = openpyxl.load_workbook(io.BytesIO(deferred[f"{stem}-stock.xlsx"]())).active
    assert [c.value for c in stock[1]][:4] == ["SKU", "Name", "Category", "Supplier"]

    deferred.clear()
    cmp = page({"tab": "Compare scenarios", "cmp": ["Mugs -10%", "Mug promo"]})
    name = "scenario-comparison-mugs-10-mug-promo"
    table = pd.read_csv(io.BytesIO(deferred[f"{name}.csv"]()))
    assert list(table.columns[:4]) == ["Scenario", "Units", "Units change", "Revenue"]
    assert table["Scenario"].tolist() == ["Baseline", "Mugs -10%", "Mug promo"]
    assert any("Whole store" in c.value for c in cmp.caption)


def test_the_notebook_report_of_a_saved_scenario_shows_the_pages_numbers(store):
    """lib/reports/pricing.py (the notebook export) reads a saved scenario like the page: the same scope
    caption, the same units and the same incremental units as the page's tiles."""
    from lib import reports
    from lib.reports.blocks import Caption, Chart, Tiles

    wh = _wh()
    try:
        pricing.save_scenario(wh, TEE_PROMO)
        blocks = reports.build("pricing", wh, [("sc", "Tee promo")])
    finally:
        wh.dispose()
    at = page({"sc": "Tee promo"})
    shown = {t.label: t.value for b in blocks if isinstance(b, Tiles) for t in b.tiles}
    on_page = tiles(at)
    assert shown["Units"] == on_page["Units"] and shown["Incremental units"] == on_page["Incremental units"]
    caption = next(b.text for b in blocks if isinstance(b, Caption))
    assert caption in " ".join(c.value for c in at.caption).replace("**", "")
    assert sum(isinstance(b, Chart) for b in blocks) == 2

"""The Pricing & promos page as a report. The Scenario builder with a saved scenario (``sc``) or the
scenario a link carries (``spec``): what the tiles, daily chart, margin waterfall and SKU table show, for the
scenario's scope over its window (lib.pricing.results, the page's own words); Pricing health: the SKUs each
check flags and the findings. The other tabs are named, not exported (their models take minutes)."""
from __future__ import annotations

from datetime import timedelta

from lib import fmt, kpis, pricing
from lib.charts import scenario as charts
from lib.forecast import store
from lib.pricing import checks, results
from lib.pricing.inputs import scenario_inputs
from lib.pricing.scenario import ScenarioError
from lib.reports import query
from lib.reports.blocks import Alert, Caption, Chart, Heading, Settings, Table, Tile, Tiles

__all__ = ["build", "TABS"]

TABS = ["Scenario builder", "Compare scenarios", "Pricing health", "Elasticities", "Promotions"]


def _signed(x: float) -> str:
    n = round(float(x))
    return "0" if n == 0 else f"{'+' if n > 0 else '−'}{abs(n):,}"


def _change(new: float, old: float, money: bool, currency: str) -> str:
    diff = new - old
    text = fmt.money(abs(diff), currency) if money else fmt.count(abs(round(diff)))
    return ("+" if diff >= 0 else "−") + text + (f" ({fmt.change_pct(new, old)})" if old else "")


def build(wh, params, *, currency: str = "USD", progress=None) -> list:
    span = kpis.order_span(wh)
    if span is None:
        return [Alert("No orders loaded yet.", "warning")]
    as_of = span[1]
    q = query.Query(params)
    tab = query.pick(q.one("tab"), TABS, TABS[0])
    if tab == "Pricing health":
        return _health(wh, q, as_of, currency)
    if tab != "Scenario builder":
        return [Alert(f"The {tab} tab is not part of an export: open the view's link to see it.", "info")]
    try:
        if q.one("spec"):
            sc = pricing.Scenario.from_json(q.one("spec"))
        elif q.one("sc"):
            sc = pricing.load_scenario(wh, q.one("sc"))
        else:
            return [Alert("This view is the scenario builder without a saved scenario: nothing to export.", "info")]
    except ScenarioError as err:
        return [Alert(f"The scenario of this view cannot be shown: {err}", "warning")]
    run = store.store_run(wh, as_of, progress=(lambda f, m: progress(0.5 * f, f"Forecast: {m}")) if progress
                          else None)
    if progress:
        progress(0.6, "Pricing: elasticities and promotion lifts")
    inp = scenario_inputs(wh, as_of, run)
    sim = pricing.simulate(inp["baseline"], sc, elasticities=inp["elasticities"], products=inp["products"],
                           effects=inp["effects"], cannibalisation=inp["cannibalisation"], shares=inp["shares"])
    stock = pricing.stock_impact(sim, inp["items"], as_of)
    s = pricing.summary(sim, scope_only=True)
    extra = stock[stock["extra_qty"] > 0]
    out: list = [Settings((("Scenario", sc.name), ("Scope", sc.scope_text()), ("Window", sc.window_text()))),
                 Caption(results.scope_caption(sc, s, pricing.summary(sim), currency).replace("**", "")),
                 Tiles((Tile("Units", fmt.count(round(s["units_scenario"])),
                             _change(s["units_scenario"], s["units_base"], False, currency)),
                        Tile("Revenue", fmt.money(s["revenue_scenario"], currency),
                             _change(s["revenue_scenario"], s["revenue_base"], True, currency)),
                        Tile("Gross margin", fmt.money(s["margin_scenario"], currency),
                             _change(s["margin_scenario"], s["margin_base"], True, currency)),
                        Tile("Incremental units", _signed(s["incremental_units"]),
                             f"{_signed(-s['cannibalised_units'])} from siblings"),
                        Tile("Extra stock to order", fmt.money(float(extra["extra_cost"].sum()), currency),
                             f"{results.skus(len(extra))} · {fmt.count(int(extra['extra_qty'].sum()))} units"))),
                 Heading("Daily units: baseline and scenario"),
                 Chart(charts.daily(pricing.daily_totals(sim[pricing.scope_rows(sim)]), "units", currency)),
                 Heading("Gross margin: baseline to scenario"),
                 Chart(charts.margin_waterfall(pricing.waterfall(sim, scope_only=True), currency))]
    table = results.sku_table(sim)
    if len(table):
        out += [Heading("SKUs"), Table(table.rename(columns={"unique_id": "SKU"}).assign(
            role=lambda d: d["role"].map(fmt.words), elasticity_from=lambda d: d["elasticity_from"].map(fmt.words)))]
    return out


def _health(wh, q: query.Query, as_of, currency: str) -> list:
    days = q.int("ph_days", 30, 1, 730)
    tol = q.float("ph_tol", 2.0, 0.0, 50.0)
    margin = q.float("ph_margin", 15.0, 0.0, 95.0)
    start = as_of - timedelta(days=days - 1)
    found = pricing.health(wh, start, as_of, price_tolerance=tol / 100, min_margin=margin / 100)
    names = {form: c for c in checks.CHECKS for form in (c, c.capitalize(), fmt.words(c))}
    picked = [names[v] for v in q.all("ph_check") if v in names]
    out: list = [Settings((("Dates", f"{start:%b %d, %Y} – {as_of:%b %d, %Y}"), ("Price tolerance", f"{tol:g}%"),
                           ("Minimum margin", f"{margin:g}%")))]
    if found.empty:
        return [*out, Alert("Nothing flagged.", "success")]
    counts = checks.tally(found).set_index("check")
    out.append(Tiles(tuple(Tile(fmt.words(c), results.skus(int(counts.loc[c, "skus"])),
                                f"{int(counts.loc[c, 'findings']):,} SKU-days")
                           for c in checks.CHECKS)))
    shown = found[found["check"].isin(picked)] if picked else found
    out += [Heading("Findings"), Table(shown.assign(check=shown["check"].map(fmt.words)))]
    return out

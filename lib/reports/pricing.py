"""The Pricing & promos page as a report. The Scenario builder with a saved scenario (``sc``) or the
scenario a link carries (``spec``): what the tiles, daily chart, margin waterfall and SKU table show, for the
scenario's scope over its window (lib.pricing.results, the page's own words); Pricing health: the SKUs each
check flags and the findings; Elasticities (per SKU, with the chart), Promotions (net incremental per category,
lift by type and depth) and Compare scenarios (the whole store, side by side), each as its tab shows it."""
from __future__ import annotations

from datetime import timedelta

from lib import fmt, pricing
from lib.analytics import kpis
from lib.charts import pricing as pricing_charts
from lib.charts import scenario as charts
from lib.forecast import store
from lib.pricing import checks, elasticity, inputs, results
from lib.pricing import promos as pm
from lib.pricing.inputs import scenario_inputs
from lib.pricing.scenario import ScenarioError
from lib.reports import query
from lib.reports.blocks import Alert, Caption, Chart, Heading, Settings, Table, Tile, Tiles

__all__ = ["build", "TABS"]

TABS = ["Scenario builder", "Compare scenarios", "Pricing health", "Elasticities", "Promotions"]


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
    if tab == "Elasticities":
        return _elasticities(wh, q, as_of)
    if tab == "Promotions":
        return _promotions(wh, as_of)
    if tab == "Compare scenarios":
        return _compare(wh, q, as_of, currency, progress)
    try:
        if q.one("spec"):
            sc = pricing.Scenario.from_json(q.one("spec"))
        elif q.one("sc"):
            sc = pricing.load_scenario(wh, q.one("sc"))
        else:
            return [Alert("This view is the scenario builder without a saved scenario: nothing to export.", "info")]
    except ScenarioError as err:
        return [Alert(f"The scenario of this view cannot be shown: {err}", "warning")]
    sim, stock = _simulate(wh, as_of, [sc], progress)[sc.name]
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
                        Tile("Incremental units", fmt.signed(s["incremental_units"]),
                             f"{fmt.signed(-s['cannibalised_units'])} from siblings"),
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


def _simulate(wh, as_of, scenarios: list, progress) -> dict:
    """{name: (daily simulation, stock impact)} of scenarios on the inputs the page uses."""
    run = store.store_run(wh, as_of, progress=(lambda f, m: progress(0.5 * f, f"Forecast: {m}")) if progress
                          else None)
    if progress:
        progress(0.6, "Pricing: elasticities and promotion lifts")
    inp = scenario_inputs(wh, as_of, run)
    out = {}
    for sc in scenarios:
        sim = pricing.simulate(inp["baseline"], sc, elasticities=inp["elasticities"], products=inp["products"],
                               effects=inp["effects"], cannibalisation=inp["cannibalisation"], shares=inp["shares"])
        out[sc.name] = (sim, pricing.stock_impact(sim, inp["items"], as_of))
    return out


def _compare(wh, q: query.Query, as_of, currency: str, progress) -> list:
    names = [n for n in q.all("cmp") if n][:4]
    if not names:
        return [Alert("No saved scenarios picked to compare in this view.", "info")]
    try:
        scenarios = [pricing.load_scenario(wh, n) for n in names]
    except ScenarioError as err:
        return [Alert(f"These scenarios cannot be compared: {err}", "warning")]
    done = _simulate(wh, as_of, scenarios, progress)
    table = pricing.compare({k: v[0] for k, v in done.items()}, {k: v[1] for k, v in done.items()})
    return [Settings((("Scenarios", ", ".join(names)),)),
            Caption("Whole store (every SKU and channel) over each scenario's window."),
            Table(table.rename(columns={"scenario": "Scenario", "units": "Units", "units_change": "Units change",
                                        "revenue": "Revenue", "revenue_change": "Revenue change",
                                        "margin": "Gross margin", "margin_change": "Margin change"})),
            Chart(charts.compare_bars(table, currency))]


def _elasticities(wh, q: query.Query, as_of) -> list:
    skus = elasticity.estimate(wh, as_of=as_of)[0]
    if skus.empty:
        return [Alert("No sales history to estimate elasticities from.", "info")]
    picked = [c for c in q.all("el_cat") if c in set(skus["category"].astype(str))]
    view = skus[skus["category"].isin(picked)] if picked else skus
    t = results.elasticity_tiles(view)
    table = view.assign(reading=[results.reading(lo, hi) for lo, hi in zip(view["lo"], view["hi"], strict=True)])
    return [Settings((("Categories", ", ".join(picked) or "all"),)),
            Tiles((Tile("SKUs", fmt.count(t["skus"])), Tile("Own estimate", fmt.count(t["own"])),
                   Tile("Category estimate", fmt.count(t["borrowed"])),
                   Tile("Median elasticity", "–" if t["median"] is None else f"{t['median']:.2f}"))),
            Chart(pricing_charts.elasticity_chart(view)),
            Table(table.rename(columns={"sku": "SKU", "category": "Category", "elasticity": "Elasticity",
                                        "lo": "95% from", "hi": "95% to", "n_obs": "Weeks", "method": "Estimate",
                                        "price_cv": "Price variation", "reading": "Reading"}))]


def _promotions(wh, as_of) -> list:
    promos = inputs.promotions(wh)
    if promos.empty:
        return [Alert("No promotions loaded.", "info")]
    daily = store.daily_history(wh, as_of)
    res = inputs.promo_lift_or_empty(daily, promos)
    if res["by_promo"].empty:
        return [Alert("None of the loaded promotions ran on in-stock days of the sales history.", "info")]
    net = pm.net_incremental(res, pm.promo_categories(promos, daily))
    total = net.iloc[-1]
    return [Tiles((Tile("Incremental units", fmt.signed(total["incremental"])),
                   Tile("Post-promotion dip", fmt.signed(total["less_dip"])),
                   Tile("Cannibalised", fmt.signed(total["less_cannibalised"])),
                   Tile("Net incremental", fmt.signed(total["net"])))),
            Heading("Net incremental units per category"),
            Table(net.rename(columns={"category": "Category", "promos": "Promotions",
                                      "incremental": "Incremental units", "less_dip": "Post-promotion dip",
                                      "less_cannibalised": "Cannibalised", "net": "Net incremental"})),
            Heading("Lift by type and depth"), Chart(pricing_charts.lift_chart(res["by_depth"])),
            Table(res["by_depth"].assign(type=res["by_depth"]["type"].map(fmt.words)))]


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

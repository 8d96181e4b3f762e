"""The Pricing & promos page: price and promotion scenarios, pricing health checks, price elasticities
and promotion lift.

Five tabs (scenario builder, comparison, health, elasticities, promotions); the open one is in the URL (key "tab") and only the open tab runs, so the elasticity and
promotion models are fitted only when looked at (and then cached per data version, lib.ui.pricing.cache).
Each tab's controls are URL-bound too (health: ph_*, elasticities: el_*).
"""
from __future__ import annotations

import streamlit as st

from lib.sharing import links
from lib.ui.app import planning, shell
from lib.ui.pricing import analysis, scenarios
from lib.ui.replenish import parts

__all__ = ["render", "TABS"]

TABS = ["Scenario builder", "Compare scenarios", "Pricing health", "Elasticities", "Promotions"]
EMPTY_HINTS = {
    "orders": ("No orders loaded yet.", "the orders feed (the sales and prices paid)"),
    "products": ("No products loaded yet.", "the product master (unit cost, list price, category)"),
}


def render() -> None:
    st.title("Pricing & promos")
    st.caption("What a price or promotion change would do, which prices need attention, how sensitive "
               "each SKU is to its price and what past promotions really added.")
    opened = shell.open_page(lambda wh, key: (parts.loaded_feeds(key, wh), planning.as_of(wh, key)))
    if opened is None:
        return
    wh, key, (feeds, as_of) = opened
    missing = [f for f in ("orders", "products") if f not in feeds or (f == "orders" and as_of is None)]
    if missing:
        _empty(missing)
        return
    st.caption(f"Data through {as_of:%b %d, %Y}.")
    link = analysis.link_values(("tab",))
    if link and link["tab"][0] not in TABS:
        st.warning(f"Ignored from the link (not a valid value): {links.link_value('tab', link['tab'][:1])}. Showing the "
                   f"{TABS[0]} tab instead.", icon=":material/link_off:")
    tabs = st.tabs(TABS, key="tab", bind="query-params")
    bodies = [scenarios.builder, scenarios.comparison, analysis.health_tab, analysis.elasticity_tab, analysis.promotions_tab]
    for tab, body in zip(tabs, bodies, strict=True):
        if tab.open is False:            # only the open tab runs (None: no state tracking, run them all)
            continue
        with tab:
            try:
                body(wh, key, as_of)
            except Exception as err:  # noqa: BLE001
                shell.show_error(err)


def _empty(missing: list[str]) -> None:
    title = EMPTY_HINTS[missing[0]][0]
    needs = "; ".join(EMPTY_HINTS[f][1] for f in missing)
    shell.nothing_loaded(f"**{title}** Pricing and promotion analysis needs {needs}. Load the demo store or your "
                         "own exports first.")


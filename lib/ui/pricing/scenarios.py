"""The scenario builder and the comparison of the Pricing & promos page.

Builder: open a saved scenario (its name is in the URL, key ``sc``; unsaved edits travel in ``spec``)
or start a new one; set the window,
scope (categories, SKUs, channels), the regular price change (slider) and promotions (an editable
table); see the result at once (lib.ui.pricing.results); save, replace or delete it in the warehouse.
Compare: up to four saved scenarios side by side (URL key ``cmp``).
"""
from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from lib import fmt, pricing
from lib.charts import scenario as charts
from lib.pricing.scenario import DISCOUNT_RANGE, Promotion, Scenario, ScenarioError
from lib.pricing.simulation import MAX_COMPARE
from lib.sharing import links
from lib.ui.app import shell
from lib.ui.pricing import inputs as si
from lib.ui.pricing import results
from lib.ui.widgets import downloads

__all__ = ["builder", "comparison", "NEW"]

NEW = ""                       # the `sc` option of a scenario not saved yet
NEW_LABEL = "New scenario (not saved yet)"
SPEC = "spec"                  # URL key: the builder's scenario as JSON, when it differs from the saved one
PROMO_COLUMNS = ["discount_pct", "start", "end", "type"]
PRICE_SLIDER = (-50, 50)


ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"   # the one date format of the promotions table (as the Window shows dates)


def _promo_frame(sc: Scenario | None) -> pd.DataFrame:
    """The promotions table: dates as ISO text (yyyy-mm-dd), so the grid shows and takes one format: a date
    column would open the browser's date picker, which shows dates in the browser's locale (12/06/2026)."""
    rows = [{"discount_pct": p.discount_pct, "start": p.start.isoformat(), "end": p.end.isoformat(), "type": p.type}
            for p in (sc.promotions if sc else ())]
    df = pd.DataFrame(rows, columns=PROMO_COLUMNS)
    return df.astype({"discount_pct": float, "start": object, "end": object, "type": object})


def _fill_state(sc: Scenario | None, as_of: date) -> None:
    """Put a scenario's values (or a new one's defaults) into the builder's widgets."""
    ss = st.session_state
    first = as_of + timedelta(days=1)
    ss["sc_name"] = sc.name if sc else "New scenario"
    ss["sc_window"] = (sc.start, sc.end) if sc else (first, first + timedelta(days=13))
    ss["sc_cats"] = list(sc.categories) if sc else []
    ss["sc_skus"] = list(sc.skus) if sc else []
    ss["sc_channels"] = list(sc.channels) if sc else []
    lo, hi = PRICE_SLIDER
    ss["sc_price"] = int(min(max(round(sc.price_change_pct), lo), hi)) if sc else 0
    ss["sc_promos"] = _promo_frame(sc)
    ss["sc_editor_v"] = ss.get("sc_editor_v", 0) + 1      # a new editor key drops the old table's edits


def _blank(v) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v)) or (isinstance(v, str) and not v.strip())


def _iso_day(v, what: str) -> date:
    """A promotions-table date: ISO text (or a date from an older state); ScenarioError naming the format."""
    if isinstance(v, date):
        return v
    text = str(v).strip()
    if re.fullmatch(ISO_DATE, text):
        try:
            return date.fromisoformat(text)
        except ValueError:                               # 2026-02-30
            pass
    raise ScenarioError(f"the {what} must be a date written yyyy-mm-dd, like 2026-12-06 (got “{text}”)")


def _read_promotions(edited: pd.DataFrame) -> tuple[list[Promotion], list[str]]:
    promos, problems = [], []
    for i, row in enumerate(edited.itertuples(index=False), 1):
        values = [row.discount_pct, row.start, row.end]
        if all(_blank(v) for v in values):
            continue                                       # an empty row being added
        if any(_blank(v) for v in values):
            problems.append(f"promotion row {i}: fill in the discount, start and end")
            continue
        try:
            promos.append(Promotion(float(row.discount_pct), _iso_day(row.start, "start"), _iso_day(row.end, "end"),
                                    str(row.type or "percent_off")))
        except ScenarioError as err:
            problems.append(f"promotion row {i}: {err}")
    return promos, problems


def _scope_controls(inp: si.Inputs) -> None:
    prods = inp["products"].astype({"sku": str})
    cats = sorted(prods["category"].dropna().astype(str).unique())
    names = dict(zip(prods["sku"], prods["name"].fillna(prods["sku"]).astype(str), strict=True))
    channels = sorted(inp["shares"]["channel"].astype(str).unique()) if len(inp["shares"]) else []
    c1, c2, c3 = st.columns([1.2, 1.6, 1])
    c1.multiselect("Categories", cats, key="sc_cats", placeholder="Every category",
                   help="The scope: these categories' SKUs plus the SKUs picked on the right. Both empty: "
                        "every SKU.")
    c2.multiselect("SKUs", sorted(names), key="sc_skus", placeholder="No single SKUs",
                   format_func=lambda s: f"{s} · {names.get(s, s)}")
    c3.multiselect("Channels", channels, key="sc_channels", placeholder="Every channel", format_func=fmt.words,
                   help="Limit the change to these channels: it reaches only the share of each SKU's units "
                        "sold through them (last 365 days).")


def _build(inp: si.Inputs, as_of: date) -> Scenario | None:
    """The builder's widgets -> a validated Scenario (None, with the reason shown, when it is not valid)."""
    horizon_end = as_of + timedelta(days=inp["h"])
    c1, c2 = st.columns([1, 1.4])
    c1.text_input("Scenario name", key="sc_name", max_chars=80)
    window = c2.date_input("Window", key="sc_window", min_value=as_of + timedelta(days=1), max_value=horizon_end,
                           format="YYYY-MM-DD",
                           help=f"The days the price change holds; promotions fall inside. The baseline forecast "
                                f"reaches {horizon_end:%b %d, %Y}.")
    _scope_controls(inp)
    st.slider("Regular price change", *PRICE_SLIDER, key="sc_price", step=1, format="%d%%",
              help="Changes the regular price of the scope for the whole window (-10 = 10% cheaper).")
    st.markdown("**Promotions** (discount off the regular price, on their own dates inside the window, written "
                "yyyy-mm-dd like the window; a new row counts once its discount, start and end are filled)")
    lo, hi = DISCOUNT_RANGE
    edited = st.data_editor(
        st.session_state["sc_promos"], key=f"sc_editor_{st.session_state['sc_editor_v']}", num_rows="dynamic",
        hide_index=True, width="stretch",
        column_config={
            "discount_pct": st.column_config.NumberColumn("Discount %", min_value=lo + 1, max_value=hi, step=1,
                                                          format="%d%%", required=True),
            "start": st.column_config.TextColumn("Start", validate=ISO_DATE, required=True, max_chars=10,
                                                 help=f"yyyy-mm-dd, from {as_of + timedelta(days=1)} to "
                                                      f"{horizon_end}, inside the window."),
            "end": st.column_config.TextColumn("End", validate=ISO_DATE, required=True, max_chars=10,
                                               help="yyyy-mm-dd, on or after the start, inside the window."),
            "type": st.column_config.SelectboxColumn("Type", options=si.types(inp), default="percent_off",
                                                     format_func=fmt.words,
                                                     help="The promotion type whose extra lift applies."),
        })
    if not isinstance(window, tuple) or len(window) != 2:
        st.info("Pick the window's last day.", icon=":material/date_range:")
        return None
    promos, problems = _read_promotions(edited)
    ss = st.session_state
    try:
        sc = Scenario(ss["sc_name"], window[0], window[1], skus=tuple(ss["sc_skus"]),
                      categories=tuple(ss["sc_cats"]), channels=tuple(ss["sc_channels"]),
                      price_change_pct=float(ss["sc_price"]), promotions=tuple(promos))
    except ScenarioError as err:
        problems.append(str(err))
        sc = None
    if problems:
        st.error("**This scenario cannot run yet:** " + "; ".join(problems) + ".", icon=":material/error:")
        return None
    return sc


def _save_controls(wh, sc: Scenario | None, loaded: str) -> None:
    wh = shell.live_warehouse()      # saved scenarios live in the live warehouse, the page may show a pinned version
    c1, c2, c3 = st.columns([1, 1, 3], vertical_alignment="center")
    if c1.button("Save scenario", icon=":material/save:", disabled=sc is None, type="primary", key="sc_save"):
        try:
            pricing.save_scenario(wh, sc, overwrite=sc.name == loaded)
        except ScenarioError as err:
            st.error(f"{err} (or open that scenario to replace it)", icon=":material/error:")
            return
        except Exception as err:  # noqa: BLE001 - every failure becomes a message
            shell.show_error(err)
            return
        st.session_state["sc_saved_note"] = f"Saved “{sc.name}”."
        st.session_state["sc_pending"] = sc.name
        st.rerun()
    if loaded:
        with c2.popover("Delete", icon=":material/delete:"):
            st.caption(f"Delete the saved scenario “{loaded}” for everyone? This cannot be undone.")
            if st.button(f"Delete “{loaded}”", key="sc_delete", type="primary"):
                pricing.delete_scenario(wh, loaded)
                st.session_state["sc_saved_note"] = f"Deleted “{loaded}”."
                st.session_state["sc_pending"] = NEW
                st.rerun()
    note = st.session_state.pop("sc_saved_note", None)
    if note:
        c3.success(note, icon=":material/check:")


def _opened(wh, as_of: date, names: list[str]) -> str:
    """The saved scenario the builder shows (URL key sc), loading its values when it changes."""
    ss = st.session_state
    if "sc_pending" in ss:                                # after a save or delete: switch before the widget
        ss["sc"] = ss.pop("sc_pending")
    wanted = st.query_params.get("sc", NEW)
    if wanted not in (NEW, *names):
        st.warning(f"Ignored from the link: no saved scenario is named “{links.shorten(wanted)}”. Showing a new scenario.",
                   icon=":material/link_off:")
    choice = st.selectbox("Saved scenario", [NEW, *names], key="sc", bind="query-params",
                          format_func=lambda n: NEW_LABEL if n == NEW else n,
                          help="Open a saved scenario to see, edit, compare or delete it.")
    if ss.get("sc_loaded") != choice or "sc_promos" not in ss:
        first = "sc_loaded" not in ss
        sc = None
        if choice != NEW:
            try:
                sc = pricing.load_scenario(wh, choice)
            except ScenarioError as err:
                st.error(str(err), icon=":material/error:")
        ss["sc_saved_json"] = sc.to_json() if sc is not None else None
        edits = _link_spec() if first else None          # unsaved edits carried by the link
        _fill_state(edits or sc, as_of)
        ss["sc_loaded"] = choice
    return choice


def _link_spec() -> Scenario | None:
    raw = st.query_params.get(SPEC)
    if not raw:
        return None
    try:
        return Scenario.from_json(raw)
    except ScenarioError as err:
        st.warning(f"Ignored from the link: the scenario it carries cannot be read ({err}).",
                   icon=":material/link_off:")
        return None


def _keep_in_link(sc: Scenario | None) -> None:
    """The builder's current scenario goes into the link (key spec) unless it is the saved one or a
    blank new one, so a copied link shows unsaved edits too."""
    if sc is None:
        return                                           # mid-edit: the link keeps the last valid one
    ss = st.session_state
    same = ss.get("sc_saved_json") == sc.to_json() if ss.get("sc_saved_json") else sc.changes_nothing
    if same:
        if SPEC in st.query_params:
            del st.query_params[SPEC]
    else:
        st.query_params[SPEC] = json.dumps(sc.to_dict(), sort_keys=True, separators=(",", ":"))


def builder(wh, key, as_of: date) -> None:
    try:
        inp = si.inputs(wh, key, as_of, si.HORIZON)
        names = si.saved(wh)["name"].tolist()
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)
        return
    loaded = _opened(wh, as_of, names)
    sc = _build(inp, as_of)
    _keep_in_link(sc)
    _save_controls(wh, sc, loaded)
    if sc is None:
        return
    if sc.changes_nothing:
        st.info("**This scenario changes nothing yet:** it is the baseline forecast. Set a price change or add "
                "a promotion to see its effect.", icon=":material/tune:")
        return
    try:
        sim, stock = si.simulate(wh, key, as_of, si.HORIZON, sc)
    except ScenarioError as err:
        st.error(str(err), icon=":material/error:")
        return
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)
        return
    results.show(sim, stock, sc, saved_as=loaded if loaded == sc.name else None, as_of=as_of,
                 currency=shell.settings().currency)


def comparison(wh, key, as_of: date) -> None:
    try:
        names = [n for n, ok in zip(*si.saved(wh)[["name", "valid"]].T.values, strict=True) if ok]
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)
        return
    if not names:
        st.info("**No saved scenarios yet.** Build one in the Scenario builder tab and save it; then compare up "
                f"to {MAX_COMPARE} here.", icon=":material/compare:")
        return
    wanted = [n for n in st.query_params.get_all("cmp") if n]
    unknown = [n for n in wanted if n not in names]
    if unknown:
        st.warning(f"Ignored from the link: no saved scenario named {', '.join(links.shorten(u) for u in unknown)}.",
                   icon=":material/link_off:")
    picked = st.multiselect("Scenarios to compare", names, key="cmp", bind="query-params", max_selections=MAX_COMPARE,
                            placeholder=f"Pick up to {MAX_COMPARE} saved scenarios")
    if not picked:
        st.caption("Pick saved scenarios to see them side by side against the baseline.")
        return
    sims, stocks = {}, {}
    bar = st.progress(0.0, text="Simulating the scenarios…")
    try:
        for i, name in enumerate(picked):
            bar.progress(i / len(picked), text=f"Simulating “{name}” ({i + 1} of {len(picked)})…")
            sims[name], stocks[name] = si.simulate(wh, key, as_of, si.HORIZON, pricing.load_scenario(wh, name))
    except Exception as err:  # noqa: BLE001
        bar.empty()
        shell.show_error(err)
        return
    bar.empty()
    results.comparison(sims, stocks, currency=shell.settings().currency)
    downloads.chart(charts.compare_daily({n: pricing.daily_totals(s) for n, s in sims.items()}),
                    "scenario-comparison-daily", key="cmp_daily", width="stretch")

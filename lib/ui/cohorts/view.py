"""The Cohorts page: retention heatmap and curves, customer lifecycle, cohort exports."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import cohorts, exports, fmt
from lib.charts import cohorts as charts
from lib.exports import Formats
from lib.reports.cohorts import BREAKDOWNS, GRAINS, METRICS, MODES, RATE_NAMES, cohort_table
from lib.ui.app import cache, shell
from lib.ui.widgets import controls, downloads
from lib.ui.widgets.formatting import money_column

__all__ = ["render"]

MODE_HELP = ("**Standard**: activity in that period. **Rolling**: in that period or any later one. "
             "**Cumulative**: running total (revenue: lifetime value per customer; customers: came back "
             "at least once by then).")


# -- cached computations (keyed on the data version; the warehouse itself is not hashed) -------------
@cache.query(max_entries=64)
def _retention(key, wh, grain, metric, mode, by, start, end) -> pd.DataFrame:
    return cohorts.retention(wh, grain, metric, mode, by=by, start=start, end=end)


@cache.query(max_entries=32)
def _lifecycle(key, wh, grain, start, end, as_of) -> pd.DataFrame:
    return cohorts.lifecycle(wh, grain, start=start, end=end, as_of=as_of)


@cache.query(max_entries=32)
def _new_customers(key, wh, start, end) -> int:
    return cohorts.new_customers(wh, start, end)


@cache.query(max_entries=32)
def _customers(key, wh, grain, cohort, by, by_value, end) -> pd.DataFrame:
    return cohorts.customers(wh, grain, cohort, by=by, by_value=by_value, end=end)


def render() -> None:
    st.title("Cohorts")
    st.caption("Customers grouped by the week or month of their first purchase: how many come back, "
               "how often they order and what they spend over time.")
    opened = shell.open_page(lambda wh, key: controls.data_anchor(wh))
    if opened is None:
        return
    wh, key, anchor = opened
    if anchor is None:
        shell.nothing_loaded("**No orders loaded yet.** Cohorts are built from the orders feed: load the demo "
                             "store or your own order export first.")
        return
    params = _controls(anchor)
    try:
        with st.spinner("Computing cohorts…"):
            df = _retention(key, wh, params["grain"], params["metric"], params["mode"], params["by"],
                            params["start"], params["end"])
            life = _lifecycle(key, wh, params["grain"], params["start"], params["end"], params["as_of"])
            new = _new_customers(key, wh, params["start"], params["end"])
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)
        return
    if df.empty:
        st.info("No customer made a first purchase in this date range. Pick a longer range.",
                icon=":material/event_busy:")
        return
    df = df.assign(partial=cohorts.partial(df, params["grain"], params["as_of"]))
    _summary(df, new, params)
    _partial_note(params)
    shown = _pick_value(df, params)
    _retention_section(shown, df, params)
    _lifecycle_section(life, params)
    _table_section(df, params)
    _export_section(wh, key, df, params)


def _controls(anchor: date) -> dict:
    c1, c2, c3, c4, c5 = st.columns([1, 1, 1, 1.1, 1.6])
    # a bound widget keeps its *label* in the URL (metric=Revenue). Keys of their own: Explore has a
    # "metric" too, and Streamlit carries a keyed widget's value to another page's widget of that key
    grain = c1.segmented_control("Cohorts by", list(GRAINS), default="monthly", key="cgrain",
                                 format_func=GRAINS.get, bind="query-params") or "monthly"
    metric = c2.selectbox("Metric", list(METRICS), key="cmetric", format_func=METRICS.get,
                          bind="query-params") or "customers"
    mode = c3.selectbox("Mode", list(MODES), key="cmode", format_func=MODES.get, bind="query-params",
                        help=MODE_HELP) or "standard"
    by = c4.selectbox("Breakdown", list(BREAKDOWNS), key="cby", format_func=BREAKDOWNS.get,
                      bind="query-params") or "none"
    with c5:
        start, end = controls.date_range(anchor, default="ytd")
    st.caption("The date range picks the cohorts (whole weeks/months of first purchases) and ends the "
               "activity counted; a customer's first purchase is looked up over all history.")
    # the data's last day counted: the incomplete week/month holds it (a parameter, never today)
    return {"grain": cohorts.normalize_grain(grain), "metric": metric, "mode": mode,
            "by": None if by == "none" else by, "start": start, "end": end, "as_of": min(end, anchor),
            "currency": shell.settings().currency}


def _unit(p: dict) -> str:
    return "month" if p["grain"] == "month" else "week"


def _summary(df: pd.DataFrame, new: int, p: dict) -> None:
    s = cohorts.summary(df, p["grain"], p["as_of"], p["by"])
    in_cohorts = s["in_cohorts"]
    unit = _unit(p)
    span = f"{p['start']:%b %d, %Y} – {p['end']:%b %d, %Y}"
    cohort_span = f"{s['first_cohort']:%b %d, %Y} – {p['as_of']:%b %d, %Y}"
    cols = st.columns(3)
    cols[0].metric("New customers in range", fmt.count(new),
                   help=f"First purchase ever between {span}. The cohorts below are whole {unit}s "
                        f"({cohort_span}): {fmt.count(in_cohorts)} customers.")
    cols[1].metric("Cohorts", fmt.count(s["cohorts"]))
    if s["rate_1"] is not None:
        label = charts.rate_label(s["rate_1"], p["metric"], p["currency"])
        cols[2].metric(f"Weighted average, {unit} 1", label, help="Across the cohorts that have reached it, "
                       f"weighted by cohort size; a {unit} that is not over yet is left out.")
    if in_cohorts != new:
        st.caption(f"The cohorts shown are whole {unit}s, {cohort_span}: {fmt.count(in_cohorts)} customers, of whom "
                   f"{fmt.count(new)} made their first purchase in the range ({span}).")


def _partial_note(p: dict) -> None:
    cut = cohorts.incomplete_period(p["grain"], p["as_of"])
    if cut is None:
        return
    what = f"{cut:%B %Y}" if p["grain"] == "month" else f"The week of {cut:%b %d, %Y}"
    st.caption(f":material/timelapse: {what} is not over: the data runs through {p['as_of']:%b %d, %Y}. Its cells "
               "are faded with a dashed outline (hollow points on the curves), left out of the averages, and the "
               "lifecycle shows it so far, without dormant customers until it ends.")


def _pick_value(df: pd.DataFrame, p: dict) -> pd.DataFrame:
    by = p["by"]
    if not by:
        return df
    values = sorted(df[by].unique().tolist())
    pick = st.selectbox(f"Cohorts shown for {BREAKDOWNS[by].lower()}", values, key="cval", format_func=fmt.words,
                        bind="query-params") or values[0]
    return df[df[by] == pick].drop(columns=[by]).reset_index(drop=True)


def _retention_section(shown: pd.DataFrame, df: pd.DataFrame, p: dict) -> None:
    g, m, mode, cur = p["grain"], p["metric"], p["mode"], p["currency"]
    stem = _stem("cohorts", p)
    st.subheader("Retention by cohort")
    downloads.chart(charts.heatmap(shown, m, g, mode, cur), f"{stem}-heatmap", key="coh_heat", width="content")
    st.subheader("Retention curves")
    st.caption("One thin line per cohort; the bold line is the average weighted by cohort size, over the "
               "cohorts that have reached each period.")
    downloads.chart(charts.curves(shown, cohorts.average_curve(shown, g, p["as_of"]), m, g, mode, cur),
                    f"{stem}-curves", key="coh_curves", width="stretch")
    if p["by"]:
        st.subheader(f"Average curve by {BREAKDOWNS[p['by']].lower()}")
        downloads.chart(charts.compare_curves(cohorts.average_curve(df, g, p["as_of"]), p["by"], m, g, mode, cur,
                                              title=BREAKDOWNS[p["by"]]),
                        f"{stem}-curves-by-{p['by']}", key="coh_compare", width="stretch")
        _ranking_section(df, p)


def _ranking_section(df: pd.DataFrame, p: dict) -> None:
    """Which breakdown value's customers come back most: a ranked table of the average curves."""
    by, unit, name = p["by"], _unit(p), BREAKDOWNS[p["by"]]
    r = cohorts.ranking(df, by, p["grain"], p["as_of"])
    value = RATE_NAMES[p["metric"]].lower()
    table = pd.DataFrame({name: [fmt.words(v) for v in r[by]], "Customers": r["customers"]})
    cols = []
    for k in (1, 2, 3):
        col = f"{unit.capitalize()} {k}"
        table[col] = r[k]
        cols.append(col)
    top = table.dropna(subset=[cols[0]])
    if len(top):
        best = top.iloc[0]
        st.caption(f"Ranked by {value} in {unit} 1 (size-weighted, complete {unit}s only): customers first reached "
                   f"through **{best[name]}** come back most, "
                   f"{charts.rate_label(float(best[cols[0]]), p['metric'], p['currency'])} in {unit} 1.")
    money = p["metric"] == "revenue"
    cfg = {c: money_column(c, p["currency"]) if money else st.column_config.NumberColumn(
        format="percent" if p["metric"] == "customers" else "%.2f") for c in cols}
    cfg["Customers"] = st.column_config.NumberColumn(format="localized")
    downloads.table(table, _stem(f"cohorts-ranking-by-{by}", p), key="coh_rank", hide_index=True, width="stretch",
                    column_config=cfg, number_formats=Formats(
                        money=tuple(cols) if money else (), pct=tuple(cols) if p["metric"] == "customers" else (),
                        decimal=tuple(cols) if p["metric"] == "orders" else (), count=("Customers",),
                        currency=p["currency"]))


def _lifecycle_section(life: pd.DataFrame, p: dict) -> None:
    st.subheader("Customer lifecycle")
    st.caption("Per period: **new** (first purchase), **returning** (also bought the period before), "
               "**resurrecting** (back after a gap) above zero; **dormant** (bought the period before, "
               "not this one) below zero. A period that is not over is faded and read *so far*.")
    if life.empty:
        st.info("No activity in this range.", icon=":material/event_busy:")
        return
    downloads.chart(charts.lifecycle_bars(life, p["grain"]), fmt.file_stem("cohorts-lifecycle", p["start"], p["end"],
                    grain=p["grain"]), key="coh_life", width="stretch")




def _stem(what: str, p: dict) -> str:
    return fmt.file_stem(what, p["start"], p["end"], grain=p["grain"], metric=p["metric"], mode=p["mode"],
                         by=p["by"] or [])


def _table_section(df: pd.DataFrame, p: dict) -> None:
    st.subheader("Cohort table")
    table = cohort_table(df, p)
    value, rate = METRICS[p["metric"]], RATE_NAMES[p["metric"]]
    money = p["metric"] == "revenue"
    cur = p["currency"]
    config = {"Customers in cohort": st.column_config.NumberColumn(format="localized"),
              value: money_column(value, cur) if money else st.column_config.NumberColumn(format="localized"),
              rate: (money_column(rate, cur) if money else st.column_config.NumberColumn(
                  format="percent" if p["metric"] == "customers" else "%.2f")),
              "Period complete": st.column_config.CheckboxColumn(help="No: the period is not over yet (so far)")}
    formats = Formats(money=(value, rate) if money else (), pct=(rate,) if p["metric"] == "customers" else (),
                      count=("Customers in cohort",) + (() if money else (value,)),
                      decimal=(rate,) if p["metric"] == "orders" else (), currency=cur)
    downloads.table(table, _stem("cohort-table", p), key="coh_table", hide_index=True, width="stretch", height=320,
                    number_formats=formats, column_config=config)


def _export_section(wh, key, df: pd.DataFrame, p: dict) -> None:
    st.subheader("Export customers")
    st.caption("The customers of one cohort with their orders and revenue so far, as CSV for an email "
               "tool (Klaviyo, Mailchimp) or a spreadsheet.")
    by = p["by"]
    sizes = df[df["period"] == 0]
    options = [(r.cohort, getattr(r, by) if by else None, int(r.cohort_size))
               for r in sizes.itertuples(index=False)]

    def label(o):
        head = charts.cohort_label(o[0], p["grain"]) + (f" · {o[1]}" if by else "")
        return f"{head} ({fmt.count(o[2])} customers)"

    pick = st.selectbox("Cohort", options, index=None, key="export_cohort", format_func=label,
                        placeholder="Pick a cohort to export")
    if pick is None:
        return
    try:
        people = _customers(key, wh, p["grain"], pick[0], by, pick[1], p["end"])
    except Exception as err:  # noqa: BLE001
        shell.show_error(err)
        return
    n = len(people)
    st.caption(f"{fmt.count(n)} customer{'' if n == 1 else 's'} · revenue so far "
               f"{fmt.money(float(people['revenue'].sum()), p['currency'])}")
    tag = charts.cohort_label(pick[0], p["grain"])
    names = {"customer_id": "Customer ID", "cohort": "Cohort", "first_order_at": "First order at",
             "orders": "Orders", "revenue": "Revenue", "last_order_at": "Last order at"}
    out = people.assign(cohort=tag).rename(columns=names)
    stem = fmt.file_stem(f"cohort-{tag}-customers", None, None, **({"by": [by, str(pick[1])]} if by else {}),
                         through=str(p["end"]))
    st.download_button("Export customers as CSV", lambda: exports.to_csv_bytes(out), on_click="ignore",
                       file_name=f"{stem}.csv", mime="text/csv", icon=":material/download:", key="dl_customers")

"""The Funnel page: step conversion, segment comparison, trend, time to convert, drop-off, audience."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib import fmt, funnel
from lib.analytics import periods
from lib.charts import funnel as charts
from lib.exports import Formats
from lib.funnel import display
from lib.funnel.audience import reachable
from lib.ui.app import shell
from lib.ui.funnel import parts
from lib.ui.widgets import controls, downloads
from lib.ui.widgets.formatting import money_column

__all__ = ["render"]

TTC_FROM = ["Step 1", "Previous step"]


def _span_text(rng: tuple[date, date]) -> str:
    return f"{rng[0]:%b %d, %Y} – {rng[1]:%b %d, %Y}"


def _fail(err: BaseException) -> None:
    """Funnel parameter problems say what to change; anything else goes through the app's error message."""
    if isinstance(err, funnel.FunnelError):
        st.error(f"**The funnel cannot be computed.** {err}", icon=":material/error:")
    else:
        shell.show_error(err)


def render() -> None:
    st.title("Funnel")
    st.caption("How many sessions or people go from one step of the shop to the next, where they drop off, "
               "how long they take, and who to win back.")
    opened = shell.open_page(lambda wh, key: (parts.event_names(key, wh), parts.event_span(key, wh)))
    if opened is None:
        return
    wh, key, (names, span) = opened
    if names.empty or span is None:
        shell.nothing_loaded("**No web events loaded yet.** Funnels are built from the events feed (page views, "
                             "product views, add to cart, checkout, purchase): load the demo store or a GA4 / "
                             "Shopify event export.")
        return
    p = _controls(names["event"].astype(str).tolist(), span)
    if p is None:
        return
    try:
        _body(wh, key, span, p)
    except Exception as err:  # noqa: BLE001
        _fail(err)


# -- controls ----------------------------------------------------------------------------------------------
def _controls(available: list[str], span: tuple[date, date]) -> dict | None:
    default_steps = [s for s in funnel.DEFAULT_STEPS if s in available] or available[:2]
    c1, c2 = st.columns([3, 2])
    steps = c1.multiselect("Steps, in order", available, default=default_steps, key="steps", max_selections=10, wrap=True,
                           bind="query-params", help="Event names from the loaded events, in the order picked.")
    with c2:
        start, end = controls.date_range(span[1])
    c3, c4, c5, c6, c7 = st.columns([1.1, 1, 1.9, 1.1, 1.2])
    unit = c3.segmented_control("Count per", list(funnel.UNITS), default="session", key="unit",
                                format_func=str.capitalize, bind="query-params",
                                help="A session, or a person (user or customer id, else the session)") or "session"
    window = c4.selectbox("Conversion window", list(parts.WINDOWS), index=2, key="window", bind="query-params",
                          help="The last step must happen within this time of step 1.") or "1 day"
    order = c5.segmented_control("Step order", list(funnel.ORDERS), default="sequential", key="order",
                                 format_func=parts.ORDER_LABELS.get, bind="query-params",
                                 help=parts.ORDER_HELP) or "sequential"
    by = c6.selectbox("Breakdown", list(parts.BY_LABELS), key="by", format_func=parts.BY_LABELS.get,
                      bind="query-params", help="Compare the funnel per channel, device or landing page "
                      "(each unit's first step-1 event)") or "none"
    with c7:
        kind = controls.comparison_picker()
    segs = display.parse_segments(st.query_params.get_all(parts.SEG_KEY))
    _segment_chips(segs)
    if not steps:
        st.info("Pick at least one step (up to 10) to build the funnel.", icon=":material/filter_alt:")
        return None
    return {"steps": tuple(steps), "start": start, "end": end, "unit": unit, "window": window,
            "window_s": int(parts.WINDOWS[window].total_seconds()), "order": order,
            "by": None if by == "none" else by, "prev": periods.comparison(start, end, kind), "segs": segs,
            "filters": tuple((col, (val,)) for col, val in sorted(segs.items())),
            "currency": shell.settings().currency}


def _set_segments(segs: dict[str, str]) -> None:
    if segs:
        st.query_params[parts.SEG_KEY] = display.format_segments(segs)
    elif parts.SEG_KEY in st.query_params:
        del st.query_params[parts.SEG_KEY]


def _drop_segment(col: str) -> None:
    segs = display.parse_segments(st.query_params.get_all(parts.SEG_KEY))
    st.session_state.setdefault("_seg_dropped", {})[col] = segs.pop(col, None)
    _set_segments(segs)


def _segment_chips(segs: dict[str, str]) -> None:
    if not segs:
        return
    row = st.container(horizontal=True, gap="small")
    for name, value in segs.items():
        row.button(f"Segment: {fmt.words(name).lower()} = {charts.segment_label(name, value)} ✕", key=f"segx_{name}",
                   on_click=_drop_segment, args=(name,),
                   icon=":material/filter_alt:", help="Remove this segment filter")


def _apply_click(by: str, picked: list[str], segs: dict[str, str]) -> None:
    """A click on a segment's bar or line filters the page to it (kept in the URL as seg=<by>:<value>). The
    segment its chip just removed is not applied again from the chart, which may still report (or send again
    once redrawn) the click that made it; another selection, or none, ends that."""
    dropped = st.session_state.setdefault("_seg_dropped", {})
    pick = picked[0] if picked else None
    if pick is not None and pick == dropped.get(by):
        return
    dropped.pop(by, None)
    if pick is not None and segs.get(by) != pick:
        _set_segments({**segs, by: pick})
        st.rerun()


# -- results ------------------------------------------------------------------------------------------------
def _args(p: dict, start=None, end=None) -> tuple:
    return (p["steps"], start or p["start"], end or p["end"], p["window_s"], p["order"], p["unit"])


_RATES = ("from step 1", "from previous", "drop rate")


def _step_config(table) -> dict:
    """Screen formats for a step table as shown: counts with separators, rates in percent with one decimal."""
    cfg = {}
    for col in table.columns:
        name = str(col)
        if name.endswith(("entered", "dropped")):
            cfg[name] = st.column_config.NumberColumn(format="localized")
        elif name.endswith(_RATES):
            cfg[name] = st.column_config.NumberColumn(format="%.1f%%")
        elif name.endswith("change"):
            cfg[name] = st.column_config.NumberColumn(format="%+.1f pts")
    return cfg


def _on_screen(table):
    """A numeric table as shown: durations as text, rates and changes in percent (the files keep fractions)."""
    shown = display.shown_steps(table)
    for col in shown.columns:
        if str(col).endswith((*_RATES, "change")):
            shown[col] = shown[col] * 100
    return shown


def _step_formats(table, currency: str) -> Formats:
    cols = [str(c) for c in table.columns]
    return Formats(count=tuple(c for c in cols if c.endswith(("entered", "dropped"))),
                   pct=tuple(c for c in cols if c.endswith((*_RATES, "change"))),
                   decimal=tuple(c for c in cols if c.endswith(display.SECONDS)), currency=currency)


def _steps_download(table, stem: str, key: str, currency: str) -> None:
    """A numeric step table on screen with CSV/XLSX files that hold the numbers (fractions, seconds)."""
    shown = _on_screen(table)
    downloads.table(shown, stem, key=key, export=table, number_formats=_step_formats(table, currency),
                    hide_index=True, width="stretch", column_config=_step_config(shown))


def _body(wh, key, span, p: dict) -> None:
    n = len(p["steps"])
    prev = p["prev"]
    with st.spinner("Computing the funnel…"):
        cur = parts.compute(key, wh, *_args(p), None, p["filters"])
        old = parts.compute(key, wh, *_args(p, *prev), None, p["filters"]) if prev else None
        ttc = parts.time_to_convert(key, wh, *_args(p), n, True, p["filters"]) if n > 1 else None
        ttc_old = (parts.time_to_convert(key, wh, *_args(p, *prev), n, True, p["filters"])
                   if n > 1 and prev else None)
    unit = p["unit"]
    if int(cur["entered"].iloc[0]) == 0:
        where = f" in the segment {', '.join(f'{c} = {v}' for c, v in p['segs'].items())}" if p["segs"] else ""
        st.info(f"**No {unit}s reached {p['steps'][0]} in {_span_text((p['start'], p['end']))}{where}.** "
                f"The loaded events cover {_span_text(span)}; pick a range inside it.", icon=":material/event_busy:")
        return
    if prev:
        st.caption(f"Compared with {_span_text(prev)}.")
    _headline(cur, old, ttc, ttc_old, unit)
    st.subheader("Funnel")
    downloads.chart(charts.funnel_bars(cur, old, "This range", "Compared range", unit), display.file_stem("chart", p),
                    key="f_bars", width="stretch")
    blocks = [("This range" if old is not None else "", cur)] + ([("Compared range", old)] if old is not None else [])
    _steps_download(display.step_table(blocks), display.file_stem("steps", p), "f_steps", p["currency"])
    _biggest_drop(funnel.biggest_drop(cur), None, unit)
    if p["by"]:
        _breakdown_section(wh, key, p, old is not None)
    _trend_section(wh, key, p)
    if n > 1:
        _time_section(wh, key, p, ttc)
        _dropoff_section(wh, key, p, cur)
        _audience_section(wh, key, p)


def _headline(cur: pd.DataFrame, old: pd.DataFrame | None, ttc, ttc_old, unit: str) -> None:
    def stats(df):
        if df is None:
            return None
        first, last = int(df["entered"].iloc[0]), int(df["entered"].iloc[-1])
        return first, last, (last / first if first else float("nan"))
    now, before = stats(cur), stats(old)
    cols = st.columns(4)
    labels = [f"{unit.capitalize()}s entering", f"{unit.capitalize()}s completing"]
    for i in range(2):
        change = fmt.change_pct(now[i], before[i]) if before else None
        cols[i].metric(labels[i], fmt.count(now[i]), **display.delta(change),
                       help=f"Compared range: {fmt.count(before[i])}" if before else None, border=True)
    pts = None if before is None or pd.isna(before[2]) else f"{100 * (now[2] - before[2]):+.1f} pts"
    cols[2].metric("Overall conversion", fmt.pct(now[2]), **display.delta(pts), border=True,
                   help=f"Compared range: {fmt.pct(before[2])}" if before else None)
    med = display.median_bucket(ttc) if ttc is not None else None
    med_old = display.median_bucket(ttc_old) if ttc_old is not None else None
    cols[3].metric("Median time to convert", med or "–", border=True,
                   delta=f"was {med_old}" if med_old and med_old != med else None, delta_color="off",
                   delta_arrow="off", help="Median time from step 1 to the last step, over the units that "
                   "completed the funnel (each timed on its earliest complete attempt)." + (f" Compared range: {med_old or '–'}." if ttc_old is not None else ""))


def _breakdown_section(wh, key, p: dict, compared: bool) -> None:
    by, label = p["by"], parts.BY_LABELS[p["by"]].lower()
    st.subheader(f"By {label}")
    with st.spinner(f"Comparing {label}s…"):
        seg = parts.compute(key, wh, *_args(p), by, p["filters"])
        seg_old = parts.compute(key, wh, *_args(p, *p["prev"]), by, p["filters"]) if compared else None
    blocks = display.segment_blocks(seg, by)
    keep = [b[0] for b in blocks]
    shown = seg[seg[by].astype(str).isin(keep)]
    shown_old = seg_old[seg_old[by].astype(str).isin(keep)] if seg_old is not None else None
    more = seg[by].nunique() - len(blocks)
    st.caption(f"Conversion from step 1 per {label}, first touch"
               + (f"; the dark mark on each bar is the compared range ({_span_text(p['prev'])})" if compared else "")
               + f". Click a bar to filter the page to that {label}."
               + (f" The {len(blocks)} largest are shown ({more} more)." if more > 0 else ""))
    tag = "|".join(display.format_segments(p["segs"]))
    stem = display.file_stem(f"by-{by}", p)
    event = downloads.chart(charts.segment_bars(shown, by, prev=shown_old), f"{stem}-chart", width="stretch",
                            on_select="rerun", selection_mode=charts.SEGMENT_PARAM, key=f"fseg_{by}_{tag}")
    _apply_click(by, display.selected_values(event, charts.SEGMENT_PARAM, by), p["segs"])
    _biggest_drop(funnel.biggest_drop(shown, by), by, p["unit"])
    _steps_download(display.segment_table(seg, seg_old, by, keep), stem, f"fseg_tbl_{by}", p["currency"])


def _biggest_drop(drop: dict | None, by: str | None, unit: str) -> None:
    """One sentence naming the step (and segment) where the largest share of units went no further."""
    if drop is None:
        return
    who = f"{charts.segment_label(by, drop['segment'])}, " if by else ""
    n = drop["entered"]
    st.markdown(f"**Biggest drop:** {who}{charts.step_label(drop['step_index'], drop['step'])} → "
                f"{charts.step_label(drop['step_index'] + 1, drop['next_step'])}: {fmt.pct(drop['drop_rate'])} of "
                f"{fmt.count(n)} {unit}{'' if n == 1 else 's'} went no further ({fmt.count(drop['dropped'])}).")


def _trend_section(wh, key, p: dict) -> None:
    st.subheader("Conversion trend")
    grain = controls.grain_picker("day")
    with st.spinner("Computing the trend…"):
        df = parts.trend(key, wh, *_args(p), grain, p["by"], p["filters"])
    if p["by"]:
        keep = [b[0] for b in display.segment_blocks(parts.compute(key, wh, *_args(p), p["by"], p["filters"]), p["by"])]
        df = df[df[p["by"]].astype(str).isin(keep)]
    st.caption(f"Share of {p['unit']}s completing the funnel, by the {grain} of their first step."
               + (" Click a line to filter the page to that segment." if p["by"] else ""))
    stem = display.file_stem(f"trend-{grain}", p)
    if p["by"]:
        tag = "|".join(display.format_segments(p["segs"]))
        event = downloads.chart(charts.trend_lines(df, grain, p["by"]), f"{stem}-by-{p['by']}", width="stretch",
                                on_select="rerun", selection_mode=charts.SEGMENT_PARAM,
                                key=f"ftrend_{p['by']}_{tag}")
        _apply_click(p["by"], display.selected_values(event, charts.SEGMENT_PARAM, p["by"]), p["segs"])
    else:
        downloads.chart(charts.trend_lines(df, grain), stem, key="ftrend", width="stretch")


def _time_section(wh, key, p: dict, ttc_default: pd.DataFrame) -> None:
    st.subheader("Time to convert")
    steps = p["steps"]
    targets = [charts.step_label(i + 1, s) for i, s in enumerate(steps)][1:]
    c1, c2, _ = st.columns([2, 2, 3])
    target = c1.selectbox("Target step", targets, index=len(targets) - 1, key="ttc", bind="query-params")
    frm = c2.segmented_control("Measured from", TTC_FROM, default=TTC_FROM[0], key="ttc_from",
                               bind="query-params") or TTC_FROM[0]
    k = targets.index(target) + 2 if target in targets else len(steps)
    from_start = frm == TTC_FROM[0]
    with st.spinner("Timing conversions…"):
        df = ttc_default if (k == len(steps) and from_start) else parts.time_to_convert(
            key, wh, *_args(p), k, from_start, p["filters"])
    med = display.median_bucket(df)
    st.caption(f"{fmt.count(int(df['units'].sum()))} {p['unit']}s reached {steps[k - 1]}; time from "
               f"{'step 1' if from_start else 'the previous step'} in each one's earliest attempt"
               + (f" (median {med})." if med else "."))
    downloads.chart(charts.time_histogram(df, p["unit"]), display.file_stem(f"time-to-step-{k}", p),
                    key="fttc", width="stretch")


def _dropoff_section(wh, key, p: dict, cur: pd.DataFrame) -> None:
    st.subheader("Drop-off")
    with_value = p["steps"][-1] == "purchase"
    aov = parts.order_value(key, wh, p["start"], p["end"]) if with_value else float("nan")
    valued = with_value and not pd.isna(aov)
    drop = funnel.dropoff(cur, aov if valued else 0.0)
    table = display.dropoff_table(drop, valued)
    cfg = _step_config(table)
    if valued:
        cfg["revenue at stake"] = money_column("revenue at stake", p["currency"])
    downloads.table(_on_screen(table), display.file_stem("dropoff", p), key="fdrop", hide_index=True,
                    width="stretch", export=table, column_config=cfg,
                    number_formats=_step_formats(table, p["currency"]) if not valued else Formats(
                        money=("revenue at stake",), pct=("drop rate",), count=("entered", "dropped"),
                        currency=p["currency"]))
    if valued:
        done = int(cur.sort_values("step_index")["entered"].iloc[-1])
        st.caption(f"Revenue at stake: what the {p['unit']}s who left at a step would bring if won back once and "
                   f"they then did as well as everyone who reached that step: dropped × (completed ÷ entered the "
                   f"step) × the average order value ({fmt.money(aov, p['currency'])}, orders in this range). So "
                   f"no step shows more than the funnel's own {fmt.count(done)} completions are worth "
                   f"({fmt.money(done * aov, p['currency'], 2)}).")
    elif with_value:
        st.caption("No orders in this range, so there is no average order value to put on a lost conversion.")
    else:
        st.caption("The value at stake needs purchase as the last step of the funnel.")


def _audience_section(wh, key, p: dict) -> None:
    st.subheader("Abandoned-step audience")
    steps = p["steps"]
    options = [charts.step_label(i + 1, s) for i, s in enumerate(steps[:-1])]
    dflt = steps.index("add_to_cart") if "add_to_cart" in steps[:-1] else min(1, len(options) - 1)
    c1, c2 = st.columns([2, 5])
    pick = c1.selectbox("Reached step", options, index=dflt, key="aud", bind="query-params",
                        help="People who got at least this far but did not reach the last step.")
    after = options.index(pick) + 1 if pick in options else dflt + 1
    have = parts.contacts(key, wh)
    consent_only = True
    if have["emails"]:
        with c2:
            st.write("")
            consent_only = st.toggle("Only people who accept email marketing", value=True, key="aud_consent",
                                     bind="query-params", help="Off: everyone with an email address, with a "
                                     "column saying who accepts email marketing (Subscribed) and who does not.")
    with st.spinner("Finding the audience…"):
        people = parts.audience(key, wh, *_args(p), after, p["filters"])
    n = len(people)
    st.caption(f"**{fmt.count(n)}** identified customer{'' if n == 1 else 's'} reached {steps[after - 1]} "
               f"(or further) but not {steps[-1]} in this range; anyone who came back and completed it later is "
               "left out. Cart value = list prices of the items they added to the cart.")
    if not n:
        return
    stem = display.file_stem("audience", p, extra=(steps[after - 1], "subscribed" if have["emails"] and consent_only
                                                  else ""))
    if have["emails"]:
        listed = funnel.email_list(people, consent_only)
        _contacts_note(people, listed, have, consent_only)
    else:
        listed = funnel.id_list(people)
        st.info("**No email addresses to import.** " + ("No customers feed is loaded" if not have["rows"] else
                "The customers feed has no email addresses") + ", so this file holds Customer ID, Abandoned Step, "
                "Abandoned At and Cart Value only: Klaviyo and Mailchimp need an Email Address column (and marketing "
                "consent) to import a list. Load a customers feed (a Shopify customers export or Klaviyo profiles: "
                "customer id, email, first name, email marketing consent) on the Sources page.",
                icon=":material/contact_mail:")
        st.page_link("pages/data_page.py", label="Go to Data sources", icon=":material/database:")
    if listed.empty:
        return
    cfg = {"Cart Value": money_column("Cart Value", p["currency"])}
    downloads.table(listed.head(200), stem, key="aud_tbl", formats=("xlsx",), export=listed, hide_index=True,
                    width="stretch", height=min(320, 38 + 35 * min(len(listed), 200)), column_config=cfg,
                    number_formats=Formats(money=("Cart Value",), currency=p["currency"]))
    st.download_button(f"Download the audience as CSV ({fmt.count(len(listed))} rows)",
                       lambda: display.audience_csv(listed), mime="text/csv", on_click="ignore",
                       file_name=f"{downloads.slug(stem)}.csv", icon=":material/download:", key="dl_audience")


def _contacts_note(people: pd.DataFrame, listed: pd.DataFrame, have: dict, consent_only: bool) -> None:
    """What the file holds, and who is left out of it and why."""
    valid, agreed = reachable(people)
    text = (f"{fmt.count(valid)} of them have a valid email address in the customers feed, {fmt.count(agreed)} "
            "accept email marketing. ")
    if consent_only and not have["consent"]:
        text += ("The customers feed records no marketing consent, so nobody can be listed as subscribed: turn off "
                 "“Only people who accept email marketing” to export everyone with a blank consent column. ")
    text += (f"The file ({fmt.count(len(listed))} rows, one per address) has the headers Klaviyo and Mailchimp map "
             "on import: Email Address, First Name, Last Name, Email Marketing Consent, Country, then Customer ID, "
             "Abandoned Step, Abandoned At and Cart Value as custom fields.")
    st.caption(text)

"""The Funnel page's tables, URL segment filters, file names and deltas, pure (no Streamlit), shared by the
page (lib/ui/funnel) and tested on their own.

Tables hold numbers (fractions, counts, seconds, amounts) so that their CSV/XLSX files do; the page formats
them on screen (durations are the one column shown as text beside its seconds).

    parse_segments(raw) / format_segments(segs)     URL values 'channel:email' <-> {'channel': 'email'}
    selected_values(event, param, by)               the values picked in a chart selection
    median_bucket(ttc)                              the median time to convert, in words
    step_table(blocks) / shown_steps(table) / segment_blocks(df, by) / segment_table(...) / dropoff_table(...)
    file_stem(what, p, ...) / delta(text) / audience_csv(df)
"""
from __future__ import annotations

import re

import pandas as pd

from lib import exports, fmt
from lib.funnel.core import FILTER_COLUMNS
from lib.schema import DEFAULT_FUNNEL

__all__ = ["segment_label", "step_label", "parse_segments", "format_segments", "selected_values", "median_bucket", "step_table", "shown_steps",
           "segment_blocks", "segment_table", "dropoff_table", "audience_csv", "file_stem", "delta", "SECONDS"]

WORDED = ("channel", "device")         # segment values that are keys (paid_search); landing pages stay as they are


def segment_label(by: str, value) -> str:
    """A segment value as a person reads it: 'paid_search' -> 'Paid search' (channels, devices); pages as they are."""
    return fmt.words(value) if by in WORDED else str(value)


def step_label(index: int, step: str) -> str:
    """'2 · view_item': the step's position and event name (unique even when names repeat)."""
    return f"{int(index)} · {step}"


# -- segment filters in the URL ----------------------------------------------------------------------
def parse_segments(raw: list[str]) -> dict[str, str]:
    """URL values 'channel:email' -> {'channel': 'email'}; unknown columns and empty values are dropped.

    One value per column (the last one wins); the value may itself contain ':' (landing page URLs).
    """
    out: dict[str, str] = {}
    for item in raw:
        col, sep, value = str(item).partition(":")
        if sep and col in FILTER_COLUMNS and value.strip():
            out[col] = value
    return out


def format_segments(segs: dict[str, str]) -> list[str]:
    return [f"{col}:{segs[col]}" for col in FILTER_COLUMNS if col in segs]


def selected_values(event, param: str, by: str) -> list[str]:
    """The `by` values picked in a chart selection event (`event["selection"][param]`), in order.

    A point selection arrives as a list of dicts ({by: value, ...}); a dict of field -> value(s)
    is accepted too. Anything else gives [].
    """
    try:
        sel = event["selection"][param]
    except (KeyError, TypeError, IndexError):
        return []
    items = sel if isinstance(sel, list) else [sel]
    out: list[str] = []
    for item in items:
        if not isinstance(item, dict) or by not in item:
            continue
        vals = item[by] if isinstance(item[by], list) else [item[by]]
        out += [str(v) for v in vals if v is not None and str(v) not in out]
    return out


# -- tables --------------------------------------------------------------------------------------------
def median_bucket(ttc: pd.DataFrame) -> str | None:
    """The median time to convert of a time_to_convert result, e.g. '3m 20s' (None when nobody converted)."""
    units = ttc["units"].astype(int)
    total = int(units.sum())
    if not total:
        return None
    if "median_seconds" in ttc and ttc["median_seconds"].notna().any():
        return fmt.duration(float(ttc["median_seconds"].dropna().iloc[0]))
    cum = units.cumsum()
    return str(ttc["bucket"].iloc[int((cum >= total / 2).to_numpy().argmax())])


SECONDS = " (s)"        # a duration column's file name: "median time (s)" beside the screen's "median time"


def _block(df: pd.DataFrame, prefix: str) -> pd.DataFrame:
    d = df.sort_values("step_index").reset_index(drop=True)
    p = f"{prefix} · " if prefix else ""
    return pd.DataFrame({f"{p}entered": d["entered"].astype("int64"),
                         f"{p}from step 1": d["conversion_from_start"].astype(float),
                         f"{p}from previous": d["conversion_from_previous"].astype(float),
                         f"{p}median time{SECONDS}": d["median_seconds_from_previous"].astype(float)})


def step_table(blocks: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """One row per step; one column block (entered, from step 1, from previous, median time (s)) per frame.

    `blocks`: (title, compute() result without breakdown) pairs; an empty title gives plain column names.
    Numbers only: rates are fractions, times are seconds.
    """
    first = blocks[0][1].sort_values("step_index").reset_index(drop=True)
    out = pd.DataFrame({"step": [step_label(i, s) for i, s in zip(first["step_index"], first["step"], strict=True)]})
    return pd.concat([out, *[_block(df, title) for title, df in blocks]], axis=1)


def shown_steps(table: pd.DataFrame) -> pd.DataFrame:
    """A numeric table as shown on screen: each "… (s)" duration column becomes its text ("3m 09s")."""
    out = table.copy()
    for col in [c for c in out.columns if str(c).endswith(SECONDS)]:
        out[col] = [fmt.duration(v) for v in out[col]]
        out = out.rename(columns={col: str(col)[: -len(SECONDS)]})
    return out


def segment_blocks(df: pd.DataFrame, by: str, limit: int = 8) -> list[tuple[str, pd.DataFrame]]:
    """The largest `limit` segments of a broken-down compute() result (by units entering step 1)."""
    size = df[df["step_index"] == 1].sort_values(["entered", by], ascending=[False, True])
    keep = [str(v) for v in size[by].head(limit)]
    return [(v, df[df[by].astype(str) == v].drop(columns=[by])) for v in keep]


def segment_table(cur: pd.DataFrame, old: pd.DataFrame | None, by: str, keep: list[str]) -> pd.DataFrame:
    """One row per segment and step (the `keep` segments, in that order): this range's numbers and, with a
    compared range, its units and conversion from step 1 and the change (a difference of fractions)."""
    label = fmt.words(by)
    rows = []
    for value in keep:
        c = cur[cur[by].astype(str) == value].sort_values("step_index")
        o = old[old[by].astype(str) == value].set_index("step_index") if old is not None else None
        for r in c.itertuples(index=False):
            row = {label: segment_label(by, value), "step": step_label(r.step_index, r.step), "entered": int(r.entered),
                   "from step 1": float(r.conversion_from_start), "from previous": float(r.conversion_from_previous),
                   f"median time{SECONDS}": float(r.median_seconds_from_previous)}
            if o is not None:
                had = r.step_index in o.index
                before = float(o.loc[r.step_index, "conversion_from_start"]) if had else float("nan")
                row |= {"compared · entered": int(o.loc[r.step_index, "entered"]) if had else 0,
                        "compared · from step 1": before,
                        "from step 1 · change": float(r.conversion_from_start) - before}
            rows.append(row)
    return pd.DataFrame(rows)


def dropoff_table(drop: pd.DataFrame, with_value: bool) -> pd.DataFrame:
    """funnel.dropoff() for people and files: step, entered, dropped, drop rate (a fraction), revenue at stake.

    The last step is left out: nobody drops off after it (its units are the steps table's last row)."""
    drop = drop.iloc[:-1]
    out = pd.DataFrame({
        "step": [step_label(i, s) for i, s in zip(drop["step_index"], drop["step"], strict=True)],
        "entered": drop["entered"].astype("int64"),
        "dropped": drop["dropped"].astype("int64"),
        "drop rate": drop["drop_rate"].astype(float),
    })
    if with_value:
        out["revenue at stake"] = drop["value_at_stake"].astype(float)
    return out


# -- file names and deltas ---------------------------------------------------------------------------
def file_stem(what: str, p: dict, *, start=None, end=None, extra: tuple[str, ...] = ()) -> str:
    """'funnel-<what>-<start>-<end>-<steps unless the default five>-<unit>s-<window>-<order>-<segments>…':
    a downloaded file says which view it came from (made file-name safe by lib.ui.widgets.downloads)."""
    steps = () if tuple(p["steps"]) == tuple(DEFAULT_FUNNEL) else tuple(p["steps"])
    segs = tuple(f"{col}-{val}" for col, val in sorted(p["segs"].items()))
    parts = ("funnel", what, str(start or p["start"]), str(end or p["end"]), *steps, f"{p['unit']}s",
             p["window"], p["order"], *segs, *extra)
    return "-".join(str(x) for x in parts if x)


_ZERO = re.compile(r"^[+\-−]?0(\.0+)?(%| pts)?$")


def delta(text: str | None) -> dict:
    """st.metric keyword arguments for a change shown as text ('+4.0%', '-0.0 pts', 'new', None).

    A change that rounds to zero is no change: grey, no arrow, no sign ('-0.0 pts' was a red arrow).
    """
    if text is None or text == "–":
        return {"delta": None}
    if _ZERO.match(text.strip()):
        return {"delta": text.strip().lstrip("+-−"), "delta_color": "off", "delta_arrow": "off"}
    return {"delta": text}


# -- export ----------------------------------------------------------------------------------------------
def audience_csv(df: pd.DataFrame) -> bytes:
    """The audience file (funnel.email_list, or the ids when no customers feed is loaded) as CSV bytes, text
    cells neutralised and floats without noise (lib.exports)."""
    return exports.to_csv_bytes(df)

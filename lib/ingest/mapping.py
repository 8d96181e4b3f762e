"""Map a raw table's headers onto a feed's canonical columns.

`suggest_mapping` proposes {canonical column: source header or None} from a profile (Shopify
orders, GA4 events, WooCommerce orders, Shopify customers, Klaviyo profiles, or generic names); the
user may correct it, and the warehouse stores it as plain JSON. `apply_mapping` renames, and does only the
restructuring an export's layout needs (Shopify fill-down, status and return lines: lib.ingest.shopify; GA4 session
ids, channel, landing page and item sku; customers' apostrophe-prefixed ids and consent words); values stay
raw for validation to coerce.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.ingest import shopify
from lib.ingest.profiles import (
    PROFILES,
    SYNONYMS,
    Profile,
    arrow_text,
    channel_from,
    combine_ids,
    consent_values,
    fill_down,
    first_item_ids,
    norm_header,
    spend_channel,
)
from lib.schema import FAILURE_COLUMNS, FEEDS, FeedError, Reason

__all__ = [
    "MappingError", "PROFILE_NAMES", "ORDER_LEVEL_COLUMNS", "guess_feed", "detect_profile",
    "suggest_mapping", "apply_mapping", "missing_required", "mapping_to_json", "mapping_from_json", "require_cost",
]

PROFILE_NAMES = tuple(PROFILES)
ORDER_LEVEL_COLUMNS = ("ordered_at", "customer_id", "channel", "status", "currency")
_MEDIUM_PAIRS = (  # GA4 (source, medium) columns, session-scoped ones first
    ("session traffic source last click manual campaign source",
     "session traffic source last click manual campaign medium"),
    ("session traffic source last click cross channel campaign source",
     "session traffic source last click cross channel campaign medium"),
    ("collected traffic source manual source", "collected traffic source manual medium"),
    ("traffic source source", "traffic source medium"),
    ("event params source", "event params medium"),
    ("source", "medium"),
)


class MappingError(ValueError):
    """A mapping that cannot be used: `reason` is a stable code, the message names the column."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


def detect_profile(columns) -> str:
    """The export profile a header list comes from: one of PROFILE_NAMES ("canonical" if unsure)."""
    present = {norm_header(c) for c in columns}
    for prof in PROFILES.values():
        hits = sum(norm_header(h) in present for h in prof.signature)
        needs = not prof.needs or any(norm_header(h) in present for h in prof.needs)
        if prof.signature and hits >= prof.min_signature and needs:
            return prof.name
    return "canonical"


def guess_feed(columns) -> str | None:
    """The feed (orders, events, inventory, products, promotions, customers) a header list looks like, or None."""
    columns = [str(c) for c in columns]
    prof = PROFILES[detect_profile(columns)]
    if prof.feed:
        return prof.feed
    best, best_score = None, (0, 0)
    for name in FEEDS:        # most required columns found, then most columns found; half at least
        mapping = suggest_mapping(name, columns, "canonical")
        need = [[c] for c in FEEDS[name].required] + ([["sku", "category"]] if name == "promotions" else [])
        found = sum(any(mapping[c] for c in group) for group in need)
        score = (found, sum(v is not None for v in mapping.values()))
        if found >= len(need) / 2 and score > best_score:
            best, best_score = name, score
    return best


def suggest_mapping(feed: str, columns, profile: str | None = None) -> dict[str, str | None]:
    """Propose a source header for every canonical column of `feed`.

    Args:
        feed: a key of lib.schema.FEEDS.
        columns: the source headers, in file order.
        profile: one of PROFILE_NAMES; None detects it from the headers.

    Returns:
        {canonical column: source header or None} in the feed's column order. Each header is used
        at most once; earlier candidates win, then earlier columns, then earlier headers.
    """
    spec = _feed(feed)
    columns = [str(c) for c in columns]
    prof = _profile(profile or detect_profile(columns))
    by_norm: dict[str, list[int]] = {}
    for i, col in enumerate(columns):
        by_norm.setdefault(norm_header(col), []).append(i)
    matches = []
    for ci, canon in enumerate(spec.names):
        for rank, cand in enumerate(_candidates(prof, feed, canon)):
            for hi in by_norm.get(norm_header(cand), []):
                matches.append((rank, ci, hi))
    mapping: dict[str, str | None] = dict.fromkeys(spec.names)
    used: set[int] = set()
    for _, ci, hi in sorted(matches):
        canon = spec.names[ci]
        if mapping[canon] is None and hi not in used:
            mapping[canon] = columns[hi]
            used.add(hi)
    return mapping


def _candidates(prof: Profile, feed: str, canon: str) -> tuple[str, ...]:
    if prof.feed == feed:
        return prof.candidates.get(canon, ()) + (canon,)
    return (canon,) + SYNONYMS.get(feed, {}).get(canon, ())


def missing_required(feed: str, mapping: dict, profile: str | None = None) -> list[str]:
    """Required canonical columns the mapping leaves unmapped (promotions: "sku" when neither
    sku nor category is mapped); a column the export's profile fills itself (the channel of a Meta Ads
    export) is not missing."""
    spec = _feed(feed)
    prof = PROFILES.get(profile or "")
    filled = {c for c, _ in prof.constants} if prof is not None and prof.feed == feed else set()
    missing = [c for c in spec.required if not mapping.get(c) and c not in filled]
    if feed == "promotions" and not mapping.get("sku") and not mapping.get("category"):
        missing.append("sku")
    return missing


def apply_mapping(df: pd.DataFrame, feed: str, mapping: dict, profile: str | None = None) -> pd.DataFrame:
    """A new frame with the mapped canonical columns (feed order), values raw.

    Args:
        df: the frame from lib.ingest.readers.read_table.
        feed: a key of lib.schema.FEEDS.
        mapping: {canonical column: source header or None}, e.g. from suggest_mapping.
        profile: one of PROFILE_NAMES; None detects it from df's headers. Shopify and WooCommerce
            orders fill order-level columns down within an order; Shopify derives status from
            Financial Status / Cancelled at, adds a return line after each line of a refunded order
            (lib.ingest.shopify) and lower-cases Email; GA4 combines user_pseudo_id and ga_session_id,
            derives channel and landing page per session and the first item sku.

    Returns:
        A RangeIndex frame in df's order; df.attrs kept, plus attrs["profile"]. Same length as df,
        except a Shopify export with refunded orders: then attrs["source_rows"] gives each row's
        spreadsheet row (a return line has its sale line's).

    Raises:
        MappingError: an unknown feed, profile or canonical column, or a header df lacks.
    """
    spec = _feed(feed)
    prof = _profile(profile or detect_profile(df.columns))
    for canon, src in mapping.items():
        if canon not in spec.names:
            raise MappingError("unknown_column", f"{canon!r} is not a column of the {feed} feed.")
        if src is not None and src not in df.columns:
            raise MappingError("source_not_found", f"The mapping uses the column {src!r} for {canon}, "
                               "but this file has no such column.")
    used = {c: mapping[c] for c in spec.names if mapping.get(c) is not None}
    out = pd.DataFrame({c: _column(df, src) for c, src in used.items()}, index=df.index)
    if prof.feed == feed == "orders":
        out = _restructure_orders(df, out, used, prof.name)
    elif prof.feed == feed == "events":
        out = _restructure_ga4(df, out, used)
    if feed == "customers":
        out = _restructure_customers(out)
    if feed == "spend":
        out = _restructure_spend(out, used, prof)
    rows = out.attrs.get("source_rows")
    out.attrs = dict(df.attrs)
    out.attrs["profile"] = prof.name
    if rows is not None:
        out.attrs["source_rows"] = rows
    return out


def _column(df: pd.DataFrame, src: str) -> pd.Series:
    return df.iloc[:, df.columns.get_indexer([src])[0]].copy()


def _find(df: pd.DataFrame, *headers: str) -> str | None:
    wanted = [norm_header(h) for h in headers]
    norms = {norm_header(c): c for c in reversed(list(df.columns))}
    return next((norms[w] for w in wanted if w in norms), None)


def _restructure_orders(df: pd.DataFrame, out: pd.DataFrame, used: dict, profile: str) -> pd.DataFrame:
    if profile not in ("shopify_orders", "woocommerce_orders") or "order_id" not in used:
        return out
    key_col = (_find(df, "Name") if profile == "shopify_orders" else None) or used["order_id"]
    keys = _column(df, key_col)          # Shopify's Name is on every line of an order
    for canon in ("order_id", *ORDER_LEVEL_COLUMNS):
        if canon in out:
            out[canon] = fill_down(out[canon], keys)
    if "customer_id" in out and "email" in norm_header(used["customer_id"]):
        out["customer_id"] = out["customer_id"].astype("str").str.strip().str.lower()
    if profile == "shopify_orders" and norm_header(used.get("status", "")) == "financial status":
        cancelled_col = _find(df, "Cancelled at")
        cancelled = None if cancelled_col is None else fill_down(_column(df, cancelled_col), keys)
        out["status"] = shopify.order_status(out["status"], cancelled)
        out = shopify.with_returns(out, df.attrs.get("decimal"))
    return out


def _restructure_customers(out: pd.DataFrame) -> pd.DataFrame:
    """Shopify's apostrophe-prefixed ids ('7210448301122) lose the apostrophe; consent words become yes/no."""
    if "customer_id" in out:
        ids = out["customer_id"]
        if not pd.api.types.is_numeric_dtype(ids):
            out["customer_id"] = ids.astype("str").str.replace(r"^'(?=\S)", "", regex=True).where(ids.notna(), None)
    if "accepts_marketing" in out and not pd.api.types.is_bool_dtype(out["accepts_marketing"]):
        out["accepts_marketing"] = consent_values(out["accepts_marketing"])
    return out


def _restructure_spend(out: pd.DataFrame, used: dict, prof: Profile) -> pd.DataFrame:
    """An ad platform's or email tool's export: the channel it implies when no column says it (Google Ads:
    paid_search, Meta: paid_social, Klaviyo/Mailchimp: email), the currency named in Meta's spend header
    ("Amount spent (EUR)"), and channel names onto the channel vocabulary (lib.ingest.profiles.spend_channel)."""
    if prof.feed == "spend":
        for col, value in prof.constants:
            if col not in used:
                out[col] = value
    if "currency" not in out and "spend" in used:
        code = re.search(r"\(([A-Za-z]{3})\)\s*$", str(used["spend"]))
        if code:
            out["currency"] = code.group(1).upper()
    if "channel" in out:
        out["channel"] = pd.Series([spend_channel(v) for v in out["channel"].astype(object)], index=out.index,
                                   dtype=object)
    return out[[c for c in FEEDS["spend"].names if c in out]]


def require_cost(feed: str, mapping: dict, profile: str | None, source: str | None = None) -> None:
    """Raise FeedError (reason no_cost_column) for an email tool's campaign export (Klaviyo, Mailchimp) whose
    spend is not mapped: those exports carry no cost, so the user adds a Cost column."""
    prof = PROFILES.get(profile or "")
    if feed == "spend" and prof is not None and prof.no_cost and not mapping.get("spend"):
        failures = pd.DataFrame([{"column": "spend", "row": None, "value": prof.name.replace("_", " ") + " export",
                                  "reason": Reason.NO_COST}], columns=FAILURE_COLUMNS)
        raise FeedError("spend", failures, source=source)


def _restructure_ga4(df: pd.DataFrame, out: pd.DataFrame, used: dict) -> pd.DataFrame:
    if "session_id" in used and "ga session id" in norm_header(used["session_id"]):
        user_col = _find(df, "user_pseudo_id") or used.get("user_id")
        if user_col is not None:
            out["session_id"] = combine_ids(_column(df, user_col), out["session_id"])
    codes = pd.factorize(out["session_id"])[0] if "session_id" in out else np.full(len(out), -1)
    if "channel" in used and norm_header(used["channel"]).endswith("medium"):
        out["channel"] = _session_channel(df, codes, norm_header(used["channel"]))
    if "landing_page" in used and norm_header(used["landing_page"]).endswith(("page location", "page path")):
        stamp = _column(df, used["event_at"]) if "event_at" in used else None
        out["landing_page"] = _first_per_session(out["landing_page"], codes, stamp)
    if "sku" in used and norm_header(used["sku"]) == "items":
        out["sku"] = first_item_ids(out["sku"])
    return out


def _session_channel(df: pd.DataFrame, codes: np.ndarray, mapped_medium: str) -> pd.Series:
    """Channel per session from the first (source, medium) columns that say anything about it."""
    pairs = sorted(_MEDIUM_PAIRS, key=lambda p: p[1] != mapped_medium)
    chosen = pd.Series(None, index=df.index, dtype=object)
    none = pd.Series(None, index=df.index, dtype=object)
    for src_norm, med_norm in pairs:
        src, med = _find(df, src_norm), _find(df, med_norm)
        if src is None and med is None:
            continue
        s = _per_session(_column(df, src), codes) if src else none
        m = _per_session(_column(df, med), codes) if med else none
        chosen = chosen.where(chosen.notna(), _channels(s, m))
    return chosen.astype("str")


def _channels(source: pd.Series, medium: pd.Series) -> pd.Series:
    """channel_from over two columns, computed once per distinct (source, medium) pair."""
    key = source.astype("str").fillna("\x00") + "\x01" + medium.astype("str").fillna("\x00")
    codes, pairs = pd.factorize(key)
    names = [channel_from(*(None if part == "\x00" else part for part in p.split("\x01"))) for p in pairs]
    return pd.Series(np.array(names + [None], dtype=object)[codes], index=source.index, dtype=object)


def _per_session(values: pd.Series, codes: np.ndarray) -> pd.Series:
    """The first non-missing value of each session on all its rows (rows without a session keep theirs)."""
    first = values.groupby(codes, sort=False).transform("first")
    return first.where(codes >= 0, values)


def _first_per_session(pages: pd.Series, codes: np.ndarray, stamp: pd.Series | None) -> pd.Series:
    """The page of each session's earliest event that has one (ties: file order)."""
    t = np.zeros(len(pages)) if stamp is None else _numbers(stamp)
    t = np.where(np.isnan(t), np.inf, t)
    idx = np.flatnonzero((codes >= 0) & pages.notna().to_numpy())
    idx = idx[np.lexsort((idx, t[idx], codes[idx]))]
    starts = idx[np.r_[True, codes[idx][1:] != codes[idx][:-1]]] if len(idx) else idx
    first_row = np.full(int(codes.max(initial=-1)) + 2, -1)
    first_row[codes[starts]] = starts
    row = first_row[codes]                      # codes -1 read the last slot, which stays -1
    vals = pages.to_numpy(dtype=object)
    landing = pd.Series(np.where(row >= 0, vals[np.maximum(row, 0)], None), index=pages.index, dtype=object)
    return landing.where(codes >= 0, pages).astype(pages.dtype)


def _numbers(values: pd.Series) -> np.ndarray:
    """Numbers for ordering only (never written back); what does not parse is NaN."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_numeric(values, errors="coerce").to_numpy(float)
    try:
        return pc.cast(arrow_text(values), pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_numeric(values.astype(object), errors="coerce").to_numpy(float)


def mapping_to_json(mapping: dict) -> str:
    """Plain JSON text of a mapping ({canonical column: header or null}), keys in given order."""
    _check_mapping(mapping)
    return json.dumps(mapping, ensure_ascii=False)


def mapping_from_json(text: str) -> dict[str, str | None]:
    """The mapping stored by mapping_to_json."""
    try:
        mapping = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise MappingError("bad_json", f"The stored mapping is not valid JSON: {exc}") from exc
    _check_mapping(mapping)
    return mapping


def _check_mapping(mapping) -> None:
    if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in mapping.items()):
        raise MappingError("bad_mapping", "A mapping must map column names to a header name or null.")


def _feed(feed: str):
    if feed not in FEEDS:
        raise MappingError("unknown_feed", f"{feed!r} is not a feed; use one of {', '.join(FEEDS)}.")
    return FEEDS[feed]


def _profile(name: str) -> Profile:
    if name not in PROFILES:
        raise MappingError("unknown_profile", f"{name!r} is not a profile; use one of {', '.join(PROFILES)}.")
    return PROFILES[name]

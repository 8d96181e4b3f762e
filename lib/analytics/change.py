"""Why revenue moved between two periods: drivers (sessions × conversion × AOV) and segments (volume, mix, price).

Period a is the baseline, period b the period compared. Revenue, sessions and orders are the Overview's
(lib.analytics.kpis.summary: live lines, quantity × unit_price − discount; sessions with events in the
range; orders = distinct order ids). Here conversion rate = orders / sessions and AOV = revenue / orders,
so revenue = sessions × conversion × AOV holds exactly in every period with sessions.

Driver split (explain_change / decompose): the exact Shapley value of the 3-factor product, the average
over the 6 orders in which the factors can move from a to b. For factor x with the others y, z:

    φx = Δx · [ (y_a·z_a + y_b·z_b) / 3 + (y_a·z_b + y_b·z_a) / 6 ]

and φs + φc + φv = R_b − R_a exactly (computed in exact rationals). Degenerate periods:
- no orders (so no revenue): AOV is undefined; it takes the other period's AOV (0 when neither has
  orders), so the AOV row is 0 and the whole change goes to sessions and conversion;
- no sessions and no orders: conversion and AOV both take the other period's values (0 if undefined);
- orders but no sessions (the events feed does not cover the period): revenue cannot be split by
  sessions; the split is the 2-factor Shapley of revenue = orders × AOV, φo = Δo·(v_a+v_b)/2,
  φv = Δv·(o_a+o_b)/2, reported on an extra row `orders` (sessions and conversion rows are 0).
Rounding: the target is cents(R_b) − cents(R_a) (each revenue rounded half away from zero to cents);
the exact parts are rounded to cents by largest remainder, so the shown parts sum to it to the cent.

Segment split (explain_segments, per channel or category), volume = units sold (quantity > 0 lines),
Q = total units, s_i = q_i / Q (share), p_i = R_i / q_i (net revenue per unit):

    volume_i = (Q_b − Q_a) · s_a,i · p_a,i        the total's growth at the old mix and price
    mix_i    = Q_b · (s_b,i − s_a,i) · p_a,i       the shift of units towards / away from the segment
    price_i  = (R_b,i − R_a,i) − volume_i − mix_i  = q_b,i · (p_b,i − p_a,i) when both periods sold units

A segment without units in a (new) takes p_a := p_b (its revenue is all mix); without units in b, p_b
plays no part; with revenue but no units sold in a period (returns only) the rest is price. Each
segment's parts sum exactly to its change and the segments to the total change; rounded to cents by
largest remainder (segments to the total, then parts to their segment).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from fractions import Fraction

import pandas as pd
from sqlalchemy import and_, case, func, or_, select

from lib import fmt
from lib.analytics import sales
from lib.analytics.base import _f, _live, bounds, orders_t, products_t
from lib.analytics.kpis import BREAKDOWN_DIMS, summary

__all__ = ["DRIVERS", "SEGMENT_DIMS", "explain_change", "decompose", "explain_segments", "split_segments",
           "sentence", "round_parts", "cents"]

DRIVERS = {"sessions": "Sessions", "conversion_rate": "Orders per session", "aov": "Average order value",
           "orders": "Orders (no session data)"}
SEGMENT_DIMS = ("channel", "category")
_COLS = ["driver", "label", "value_a", "value_b", "contribution"]


# -- rounding ------------------------------------------------------------------------------------------------
def cents(x) -> int:
    """An amount in whole cents, half away from zero (of the float's exact value)."""
    n = Fraction(x) * 100
    whole = math.floor(abs(n) + Fraction(1, 2))
    return whole if n >= 0 else -whole


def round_parts(parts: Sequence[Fraction], target: int) -> list[int]:
    """Exact amounts (currency units) -> whole cents summing to `target` cents (largest remainder).

    Each part is floored to a cent; the missing cents go one by one to the parts with the largest
    remainders (ties: the first); a surplus is taken back from the smallest remainders."""
    scaled = [Fraction(p) * 100 for p in parts]
    out = [math.floor(s) for s in scaled]
    if not out:
        return out
    rem = [s - f for s, f in zip(scaled, out, strict=True)]
    k = target - sum(out)
    order = sorted(range(len(out)), key=lambda i: (-rem[i], i))
    step = 1 if k > 0 else -1
    if k < 0:
        order = order[::-1]
    for n in range(abs(k)):
        out[order[n % len(out)]] += step
    return out


# -- drivers ---------------------------------------------------------------------------------------------------
def _shapley3(x: tuple[Fraction, Fraction], y: tuple[Fraction, Fraction], z: tuple[Fraction, Fraction]) -> Fraction:
    return (x[1] - x[0]) * ((y[0] * z[0] + y[1] * z[1]) / 3 + (y[0] * z[1] + y[1] * z[0]) / 6)


def _num(v) -> Fraction:
    return Fraction(0) if v is None or (isinstance(v, float) and math.isnan(v)) else Fraction(float(v))


def decompose(a: dict, b: dict) -> pd.DataFrame:
    """The driver split of two periods' {revenue, sessions, orders} (e.g. kpis.summary outputs).

    -> DataFrame[driver, label, value_a, value_b, contribution] (rows sessions, conversion_rate, aov and,
    only when a period has orders but no sessions, orders); contribution in money rounded to cents,
    summing to cents(revenue_b) − cents(revenue_a) / 100. attrs: revenue_a, revenue_b, change (rounded)."""
    R = (_num(a["revenue"]), _num(b["revenue"]))
    S = (_num(a["sessions"]), _num(b["sessions"]))
    Od = (_num(a["orders"]), _num(b["orders"]))
    aov = [R[i] / Od[i] if Od[i] else None for i in (0, 1)]
    conv = [Od[i] / S[i] if S[i] else None for i in (0, 1)]

    def fill(pair):
        return tuple(p if p is not None else (pair[1 - i] if pair[1 - i] is not None else Fraction(0))
                     for i, p in enumerate(pair))

    v, c = fill(aov), fill(conv)
    untracked = any(Od[i] and not S[i] for i in (0, 1))
    if untracked:
        exact = {"sessions": Fraction(0), "conversion_rate": Fraction(0),
                 "aov": (v[1] - v[0]) * (Od[0] + Od[1]) / 2, "orders": (Od[1] - Od[0]) * (v[0] + v[1]) / 2}
    else:
        exact = {"sessions": _shapley3(S, c, v), "conversion_rate": _shapley3(c, S, v), "aov": _shapley3(v, S, c)}
    target = cents(R[1]) - cents(R[0])
    rounded = round_parts(list(exact.values()), target)
    shown = {"sessions": (S, S), "conversion_rate": (conv, c), "aov": (aov, v), "orders": (Od, Od)}
    rows = []
    for (key, _), cts in zip(exact.items(), rounded, strict=True):
        raw = shown[key][0]
        rows.append((key, DRIVERS[key], *(float(x) if x is not None else float("nan") for x in raw), cts / 100))
    out = pd.DataFrame(rows, columns=_COLS)
    out.attrs = {"revenue_a": cents(R[0]) / 100, "revenue_b": cents(R[1]) / 100, "change": target / 100}
    return out


def explain_change(wh, start_a: date, end_a: date, start_b: date, end_b: date,
                   channels: Sequence[str] | None = None) -> pd.DataFrame:
    """Revenue's change from period a (baseline) to period b split into sessions, conversion rate and AOV.

    Args: wh, the two inclusive date ranges, optional channel filter (as the Overview's).
    Returns: DataFrame[driver, label, value_a, value_b, contribution]; contributions (money, cents) sum
    exactly to revenue(b) − revenue(a) rounded to cents; see the module docstring for the definitions.
    """
    return decompose(summary(wh, start_a, end_a, channels), summary(wh, start_b, end_b, channels))


# -- segments ----------------------------------------------------------------------------------------------------
def _segment_totals(wh, dim: str, a: tuple[date, date], b: tuple[date, date],
                    channels: Sequence[str] | None) -> pd.DataFrame:
    if dim not in SEGMENT_DIMS:
        raise ValueError(f"unknown segment dimension {str(dim)[:40]!r}; expected one of {', '.join(SEGMENT_DIMS)}")
    (alo, ahi), (blo, bhi) = bounds(*a), bounds(*b)
    o, p = orders_t, products_t
    rev = sales.line_revenue(o)
    sold = case((o.c.quantity > 0, o.c.quantity), else_=0)
    in_a = and_(o.c.ordered_at >= alo, o.c.ordered_at < ahi)
    in_b = and_(o.c.ordered_at >= blo, o.c.ordered_at < bhi)
    conds = [_live(), or_(in_a, in_b)]
    if channels:
        conds.append(o.c.channel.in_(list(channels)))
    lines = (select(BREAKDOWN_DIMS[dim]().label("segment"),
                    case((in_a, rev), else_=0.0).label("rev_a"), case((in_b, rev), else_=0.0).label("rev_b"),
                    case((in_a, sold), else_=0).label("units_a"), case((in_b, sold), else_=0).label("units_b"))
             .select_from(o.outerjoin(p, p.c.sku == o.c.sku)).where(*conds).cte("change_lines"))
    by = (select(lines.c.segment, *[_f(func.sum(lines.c[k])).label(k)
                                    for k in ("rev_a", "rev_b", "units_a", "units_b")])
          .group_by(lines.c.segment).cte("by_segment"))
    df = wh.read(select(by).order_by(by.c.segment))
    df["segment"] = df["segment"].astype(str)
    return df


def split_segments(df: pd.DataFrame) -> pd.DataFrame:
    """Volume / mix / price per segment from DataFrame[segment, rev_a, rev_b, units_a, units_b].

    -> DataFrame[segment, revenue_a, revenue_b, change, volume, mix, price], biggest |change| first;
    money in cents (largest remainder: segments sum to the total's rounded change, parts to their
    segment's). attrs: change (the total, rounded)."""
    cols = ["segment", "revenue_a", "revenue_b", "change", "volume", "mix", "price"]
    Ra = [_num(x) for x in df["rev_a"]]
    Rb = [_num(x) for x in df["rev_b"]]
    qa = [_num(x) for x in df["units_a"]]
    qb = [_num(x) for x in df["units_b"]]
    Qa, Qb = sum(qa, Fraction(0)), sum(qb, Fraction(0))
    parts = []
    for i in range(len(df)):
        pb = Rb[i] / qb[i] if qb[i] > 0 else None
        pa = Ra[i] / qa[i] if qa[i] > 0 else (pb if pb is not None else Fraction(0))
        sa = qa[i] / Qa if Qa > 0 else Fraction(0)
        sb = qb[i] / Qb if Qb > 0 else Fraction(0)
        volume = (Qb - Qa) * sa * pa
        mix = Qb * (sb - sa) * pa
        parts.append((volume, mix, Rb[i] - Ra[i] - volume - mix))
    target = cents(sum(Rb, Fraction(0))) - cents(sum(Ra, Fraction(0)))
    seg_cents = round_parts([Rb[i] - Ra[i] for i in range(len(df))], target)
    rows = []
    for i, seg in enumerate(df["segment"]):
        v, m, p = round_parts(list(parts[i]), seg_cents[i])
        rows.append((seg, cents(Ra[i]) / 100, cents(Rb[i]) / 100, seg_cents[i] / 100, v / 100, m / 100, p / 100))
    out = pd.DataFrame(rows, columns=cols)
    if len(out):
        out = (out.assign(_k=out["change"].abs()).sort_values(["_k", "segment"], ascending=[False, True])
               .drop(columns="_k").reset_index(drop=True))
    out.attrs = {"change": target / 100}
    return out


def explain_segments(wh, start_a: date, end_a: date, start_b: date, end_b: date, dim: str = "channel",
                     channels: Sequence[str] | None = None) -> pd.DataFrame:
    """Revenue's change from period a to b per channel or category, split into volume, mix and price.

    Args: wh, the two inclusive ranges, dim "channel" (the order's channel, "(none)" when empty) or
    "category" (products.category on the line's SKU, "(unknown)" without one), optional channel filter.
    Returns: DataFrame[<dim>, revenue_a, revenue_b, change, volume, mix, price] (formulas in the module
    docstring); volume + mix + price = change per row, and the changes sum to the total change.
    """
    out = split_segments(_segment_totals(wh, dim, (start_a, end_a), (start_b, end_b), channels))
    return out.rename(columns={"segment": dim})


# -- the sentence -------------------------------------------------------------------------------------------------
_SEGMENT_WORDS = {"(none)": "Orders without a channel", "(unknown)": "Products without a category"}
_MORE = {"sessions": ("more sessions", "fewer sessions"),
         "conversion_rate": ("more orders per session", "fewer orders per session"),
         "aov": ("a higher average order value", "a lower average order value"),
         "orders": ("more orders", "fewer orders")}


def sentence(drivers: pd.DataFrame, a: tuple[date, date], b: tuple[date, date],
             segments: pd.DataFrame | None = None, dim: str = "channel", currency: str = "USD") -> str:
    """The change in words, to paste into a report, e.g. "Revenue rose $12,340 (+8.1%) from 1–7 Jun to
    8–14 Jun: more sessions added $9,800, more orders per session $3,100, and a lower average order value
    took away $560. Paid search drove most of it (+$7,200)." Drivers that moved nothing are left out; the
    segment named is the one with the largest change in the direction of the total."""
    ra, rb, change = drivers.attrs["revenue_a"], drivers.attrs["revenue_b"], drivers.attrs["change"]
    when = f"from {fmt.span(*a)} to {fmt.span(*b)}"
    if change == 0:
        return f"Revenue was unchanged at {fmt.money(rb, currency)} {when}."
    pct = fmt.change_pct(rb, ra)
    head = (f"Revenue {'rose' if change > 0 else 'fell'} {fmt.money(abs(change), currency)}"
            f"{f' ({pct})' if pct not in ('–', 'new') else ''} {when}")
    items, last_verb = [], None
    for r in drivers.itertuples(index=False):
        if r.contribution == 0:
            continue
        known = not (pd.isna(r.value_a) or pd.isna(r.value_b))
        up = r.value_b > r.value_a if known else r.contribution > 0
        what = _MORE[r.driver][0 if up else 1]
        verb = "added" if r.contribution > 0 else "took away"
        items.append(f"{what} {verb + ' ' if verb != last_verb else ''}{fmt.money(abs(r.contribution), currency)}")
        last_verb = verb
    text = head + (": " + _join(items) if items else "") + "."
    if segments is not None and len(segments):
        same = segments[segments["change"] * change > 0]
        if len(same):
            top = same.loc[same["change"].abs().idxmax()]
            name = _SEGMENT_WORDS.get(str(top[dim])) or (fmt.words(top[dim]) if dim == "channel" else str(top[dim]))
            sign = "+" if top["change"] > 0 else "−"
            text += f" {name} drove most of it ({sign}{fmt.money(abs(top['change']), currency)})."
    return text


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (", and " if len(items) > 2 else " and ") + items[-1]

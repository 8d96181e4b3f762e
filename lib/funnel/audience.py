"""The abandoned-step audience: who reached a step but did not finish, and the file an email tool imports.

`audience` finds the people (in the warehouse, with the funnel's own CTE steps) and, when the optional
customers feed is loaded, their email address, name, country and email marketing consent.
`email_list` turns that into the CSV Klaviyo and Mailchimp import: "Email Address" first (Mailchimp
requires that column, Klaviyo takes "Email" or "Email Address" as its first column), "First Name" and
"Last Name" (both tools' own fields), "Email Marketing Consent" (Klaviyo's consent column: Subscribed, or
Never subscribed), then the store's own columns as custom properties. Sources: Klaviyo help articles
115005078967 (list upload format) and 360043841811 (uploading consent); Mailchimp's "Format guidelines for
your import file".
"""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
from sqlalchemy import and_, func, select

from lib.funnel.core import _UNIT_COLUMN, Spec, _scoped, events, plan
from lib.schema import valid_email
from lib.warehouse.tables import FEED_TABLES

__all__ = ["audience", "email_list", "id_list", "contacts", "reachable", "AUDIENCE_COLUMNS", "LIST_COLUMNS", "ID_COLUMNS",
           "CONTACT_COLUMNS"]

CONTACT_COLUMNS = ["email", "first_name", "last_name", "accepts_marketing", "country"]
AUDIENCE_COLUMNS = ["customer_id", *CONTACT_COLUMNS, "last_step", "last_step_at", "cart_value"]
# the import file's headers, in order (see the module docstring)
LIST_COLUMNS = {"email": "Email Address", "first_name": "First Name", "last_name": "Last Name",
                "consent": "Email Marketing Consent", "country": "Country", "customer_id": "Customer ID",
                "last_step": "Abandoned Step", "last_step_at": "Abandoned At", "cart_value": "Cart Value"}
ID_COLUMNS = ["customer_id", "last_step", "last_step_at", "cart_value"]     # the file without a customers feed
SUBSCRIBED, NEVER = "Subscribed", "Never subscribed"


def contacts(wh) -> dict[str, int]:
    """What the customers feed can give an audience: {rows, emails, consent} (rows with an email address,
    rows with a consent value); all 0 when the feed is not loaded."""
    c = FEED_TABLES["customers"]
    row = wh.read(select(func.count().label("rows"), func.count(c.c.email).label("emails"),
                         func.count(c.c.accepts_marketing).label("consent"))).iloc[0]
    return {k: int(row[k]) for k in ("rows", "emails", "consent")}


def audience(wh, steps, start, end, window=timedelta(days=1), order="sequential", unit="session", after_step=2,
             filters=None) -> pd.DataFrame:
    """Identified people who reached `after_step` (or further) but not the last step: a recovery list.

    A person is identified by a customer_id on the unit's events (an email tool needs someone to write
    to; a cookie or analytics user_id is not enough). Someone who completed the funnel in a unit whose
    last step came at or after their latest abandoned unit's (they came back and bought) is left out;
    each remaining person appears once, with their latest abandoned unit. cart_value = the list prices
    (products.price) of the items added to the cart in that unit. When the customers feed is loaded, a
    person's row there (matched on customer_id, else on email = the lower-cased customer_id) gives email,
    first_name, last_name, accepts_marketing and country; otherwise those are missing.
    -> DataFrame[AUDIENCE_COLUMNS], most valuable cart first, then the latest.
    """
    spec = Spec.make(steps, start, end, window, order, unit, None, filters)
    n = len(spec.steps)
    if not 1 <= int(after_step) < n:
        raise ValueError(f"after_step must be between 1 and {n - 1}.")
    touch, levels = plan(spec)
    if levels is None:
        return pd.DataFrame(columns=AUDIENCE_COLUMNS)
    ucol = events.c[_UNIT_COLUMN[spec.unit]]
    top = select(levels.c.u, func.max(levels.c.k).label("k")).group_by(levels.c.u).cte("top_step")
    last = (select(touch.c.u, func.coalesce(top.c.k, 1).label("k"),
                   func.coalesce(levels.c.tk, touch.c.t).label("tk"))
            .join_from(touch, top, top.c.u == touch.c.u, isouter=True)
            .join(levels, and_(levels.c.u == top.c.u, levels.c.k == top.c.k), isouter=True)
            .cte("last_step"))
    who = (select(ucol.label("u"), func.max(events.c.customer_id).label("customer_id"))
           .where(_scoped(spec, None), events.c.customer_id.is_not(None)).group_by(ucol).cte("who"))
    p = FEED_TABLES["products"]
    cart = (select(ucol.label("u"), func.sum(p.c.price).label("cart_value"))
            .join_from(events, p, p.c.sku == events.c.sku)
            .where(_scoped(spec, None), events.c.event == "add_to_cart").group_by(ucol).cte("cart"))
    reached = (select(who.c.customer_id, last.c.k, last.c.tk, func.coalesce(cart.c.cart_value, 0.0).label("cart_value"))
               .join_from(last, who, who.c.u == last.c.u)
               .join(cart, cart.c.u == last.c.u, isouter=True)
               .where(last.c.k >= int(after_step)).cte("reached"))
    c = FEED_TABLES["customers"]
    by_id, by_mail = c.alias("by_id"), c.alias("by_mail")
    contact = {col: func.coalesce(by_id.c[col], by_mail.c[col]).label(col) for col in CONTACT_COLUMNS}
    q = (select(reached.c.customer_id, reached.c.k, reached.c.tk, reached.c.cart_value, *contact.values())
         .join_from(reached, by_id, by_id.c.customer_id == reached.c.customer_id, isouter=True)
         .join(by_mail, and_(by_id.c.customer_id.is_(None), by_mail.c.email == func.lower(reached.c.customer_id)),
               isouter=True))
    raw = wh.read(q)
    raw["customer_id"] = raw["customer_id"].astype(str)
    raw["tk"] = raw["tk"].astype("int64")
    raw = raw.sort_values(["customer_id", "tk", "k"]).drop_duplicates(["customer_id", "tk", "k"], keep="first")
    bought = raw[raw["k"] == n].groupby("customer_id")["tk"].max()
    left = raw[raw["k"] < n].copy()
    came_back = left["customer_id"].map(bought)
    left = left[came_back.isna() | (came_back < left["tk"])]
    left = left.drop_duplicates("customer_id", keep="last")        # sorted by time: their latest abandonment
    out = pd.DataFrame({
        "customer_id": left["customer_id"].to_numpy(),
        **{col: left[col].to_numpy() for col in CONTACT_COLUMNS},
        "last_step": [spec.steps[int(k) - 1] for k in left["k"]],
        "last_step_at": pd.to_datetime(left["tk"].to_numpy(), unit="us"),
        "cart_value": left["cart_value"].astype(float).to_numpy(),
    }, columns=AUDIENCE_COLUMNS)
    out["accepts_marketing"] = out["accepts_marketing"].astype("boolean")
    for col in ("email", "first_name", "last_name", "country"):
        out[col] = out[col].astype("string")
    return out.sort_values(["cart_value", "last_step_at"], ascending=[False, False]).reset_index(drop=True)


def email_list(people: pd.DataFrame, consent_only: bool = True) -> pd.DataFrame:
    """The audience as an email tool imports it: one row per valid email address, LIST_COLUMNS headers.

    consent_only: only people whose accepts_marketing is true (the default: a marketing list holds people
    who agreed to it); otherwise everyone with an address, the consent column saying Subscribed or Never
    subscribed (blank when the customers feed does not say). Rows without a valid address are left out
    (both tools refuse them); an address shared by two customer ids appears once (their latest abandonment).
    """
    d = people.copy()
    d = d[[valid_email(e) for e in d["email"].astype(object).where(d["email"].notna(), None)]]
    if consent_only:
        d = d[d["accepts_marketing"].fillna(False).astype(bool)]
    d = d.sort_values("last_step_at").drop_duplicates("email", keep="last")
    d = d.sort_values(["cart_value", "last_step_at"], ascending=[False, False])
    consent = np.where(d["accepts_marketing"].isna(), "",
                       np.where(d["accepts_marketing"].fillna(False).astype(bool), SUBSCRIBED, NEVER))
    out = pd.DataFrame({
        "email": d["email"].str.strip(), "first_name": d["first_name"], "last_name": d["last_name"],
        "consent": consent, "country": d["country"], "customer_id": d["customer_id"],
        "last_step": d["last_step"], "last_step_at": pd.to_datetime(d["last_step_at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
        "cart_value": d["cart_value"].astype(float),
    })
    return out.rename(columns=LIST_COLUMNS).reset_index(drop=True)


def id_list(people: pd.DataFrame) -> pd.DataFrame:
    """The audience without contact details (no customers feed): customer id, abandoned step and time, cart."""
    d = people
    out = pd.DataFrame({"customer_id": d["customer_id"], "last_step": d["last_step"],
                        "last_step_at": pd.to_datetime(d["last_step_at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
                        "cart_value": d["cart_value"].astype(float)})
    return out.rename(columns=LIST_COLUMNS).reset_index(drop=True)


def reachable(people: pd.DataFrame) -> tuple[int, int]:
    """(with a valid email address, accepting email marketing) among an audience's people."""
    emails = people["email"].astype(object).where(people["email"].notna(), None)
    valid = sum(valid_email(e) for e in emails)
    return int(valid), int(people["accepts_marketing"].fillna(False).astype(bool).sum())

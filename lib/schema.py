"""The seven feeds as declarations, the event vocabulary, and FeedError.

A feed is a tuple of typed columns plus keys; validation (lib.warehouse.validation) reads these
declarations and collects every failure into one tidy table, the way pandera does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

__all__ = [
    "Column", "Feed", "FEEDS", "FEED_NAMES", "OPTIONAL_FEEDS", "FeedError", "Reason", "FAILURE_COLUMNS",
    "CANONICAL_EVENTS", "EVENT_ALIASES", "normalize_event", "DEFAULT_FUNNEL", "EMAIL_PATTERN", "valid_email",
]

FAILURE_COLUMNS = ["column", "row", "value", "reason"]


class Reason:
    """Stable reason codes for validation failures (and warnings)."""

    MISSING_COLUMN = "missing_column"
    MISSING_VALUE = "missing_value"
    UNPARSEABLE_DATE = "unparseable_date"
    NOT_NUMERIC = "not_numeric"
    NOT_INTEGER = "not_integer"
    NEGATIVE = "negative_value"
    OUT_OF_RANGE = "out_of_range"
    NOT_ALLOWED = "not_allowed"
    DUPLICATE_KEY = "duplicate_key"
    DUPLICATE_ROW = "duplicate_row"
    UNKNOWN_EVENT = "unknown_event"
    FUTURE_DATE = "future_date"
    END_BEFORE_START = "end_before_start"
    NEEDS_SKU_OR_CATEGORY = "needs_sku_or_category"
    EMPTY_FEED = "empty_feed"
    UNKNOWN_SKU = "unknown_sku"  # a warning, never an error
    INVALID_EMAIL = "invalid_email"  # a warning: the row loads, the address is left out of email audiences
    ALREADY_LOADED = "already_loaded"  # an append's row whose key the feed holds (lib.warehouse.append)
    NO_COST = "no_cost_column"  # an email tool's campaign export (no cost in it) without a cost column added

    TEXT = {
        MISSING_COLUMN: "required column is missing",
        MISSING_VALUE: "required value is empty",
        UNPARSEABLE_DATE: "not a date/time this app can read",
        NOT_NUMERIC: "not a number",
        NOT_INTEGER: "not a whole number",
        NEGATIVE: "must not be negative",
        OUT_OF_RANGE: "outside the allowed range",
        NOT_ALLOWED: "not one of the allowed values",
        DUPLICATE_KEY: "duplicate key: this value appears on more than one row",
        DUPLICATE_ROW: "exact duplicate of another row",
        UNKNOWN_EVENT: "event name cannot be mapped to an event",
        FUTURE_DATE: "date is after the as-of date",
        END_BEFORE_START: "end date is before start date",
        NEEDS_SKU_OR_CATEGORY: "a promotion needs a sku or a category",
        EMPTY_FEED: "the file has no data rows",
        UNKNOWN_SKU: "SKU not in the product feed",
        INVALID_EMAIL: "not a valid email address (loaded; left out of email audiences)",
        ALREADY_LOADED: "already in the feed: an append adds new rows only (replace the feed to change loaded rows)",
        NO_COST: "this export carries no cost: add a column named Cost (what each campaign cost in the store "
                 "currency, e.g. its share of the email tool's monthly fee) and load the file again",
    }


@dataclass(frozen=True)
class Column:
    """One feed column. kind: string | datetime | date | int | float | bool."""

    name: str
    kind: str
    required: bool = True
    default: object = None
    min_value: float | None = None
    max_value: float | None = None
    allowed: tuple[str, ...] | None = None
    lower: bool = False           # normalise text to lower case (channels, statuses)
    no_future: bool = False       # values after the as-of date are errors
    description: str = ""


@dataclass(frozen=True)
class Feed:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()            # unique key (duplicates are errors)
    no_exact_duplicates: bool = False    # a row repeated exactly is an error
    time_column: str | None = None       # the column a feed's date range is read from
    description: str = ""
    _by_name: dict = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def optional(self) -> list[str]:
        return [c.name for c in self.columns if not c.required]

    def column(self, name: str) -> Column:
        return self._by_name[name]


def _s(name, required=True, **kw):
    return Column(name, "string", required, **kw)


FEEDS: dict[str, Feed] = {
    "orders": Feed(
        "orders",
        (
            _s("order_id"),
            Column("ordered_at", "datetime", no_future=True),
            _s("customer_id"),
            _s("sku"),
            Column("quantity", "int", description="negative = a return"),
            Column("unit_price", "float", min_value=0),
            Column("discount", "float", required=False, default=0.0, min_value=0,
                   description="line discount amount"),
            _s("channel", required=False, lower=True),
            _s("status", required=False, lower=True, description="cancelled lines excluded from revenue"),
            _s("currency", required=False),
        ),
        no_exact_duplicates=True,
        time_column="ordered_at",
        description="one row per order line",
    ),
    "events": Feed(
        "events",
        (
            _s("session_id"),
            Column("event_at", "datetime", no_future=True),
            _s("event"),
            _s("user_id", required=False),
            _s("customer_id", required=False),
            _s("channel", required=False, lower=True),
            _s("device", required=False, lower=True),
            _s("landing_page", required=False),
            _s("sku", required=False),
            _s("order_id", required=False),
        ),
        time_column="event_at",
        description="one row per web event",
    ),
    "inventory": Feed(
        "inventory",
        (
            _s("sku"),
            Column("date", "date", no_future=True),
            Column("on_hand", "int", min_value=0),
            Column("on_order", "int", required=False, default=0, min_value=0),
            _s("location", required=False, default="main"),
        ),
        key=("sku", "date", "location"),
        time_column="date",
        description="stock snapshot per SKU and date",
    ),
    "products": Feed(
        "products",
        (
            _s("sku"),
            _s("name"),
            _s("category"),
            Column("unit_cost", "float", min_value=0),
            Column("price", "float", min_value=0),
            Column("lead_time_days", "int", required=False, min_value=0),
            Column("moq", "int", required=False, default=1, min_value=1),
            Column("case_pack", "int", required=False, default=1, min_value=1),
            _s("supplier", required=False),
            _s("supplier_sku", required=False, description="the supplier's own code for the SKU (on purchase "
               "orders)"),
            Column("active", "bool", required=False, default=True),
        ),
        key=("sku",),
        description="one row per SKU",
    ),
    "promotions": Feed(
        "promotions",
        (
            _s("promo_id"),
            Column("start_date", "date"),
            Column("end_date", "date"),
            Column("discount_pct", "float", min_value=0, max_value=100, description="percent, 0-100"),
            _s("sku", required=False),
            _s("category", required=False),
            _s("type", required=False, lower=True),
            _s("channel", required=False, lower=True),
        ),
        no_exact_duplicates=True,
        time_column="start_date",
        description="optional: planned and past promotions",
    ),
    # Who the customer ids are (Shopify customers export, Klaviyo profiles): the Funnel page's
    # abandoned-step audience takes email, first name and marketing consent from here. A duplicate
    # customer_id is an error (whose address would it be?); a malformed email is a warning: the row
    # loads, and the address is left out of email audiences (an email tool would refuse it).
    "customers": Feed(
        "customers",
        (
            _s("customer_id", description="the id orders and events carry (or the email address)"),
            _s("email", required=False, lower=True, description="contact address (stored in lower case)"),
            _s("first_name", required=False),
            _s("last_name", required=False),
            Column("accepts_marketing", "bool", required=False,
                   description="email marketing consent: yes/no, true/false, subscribed/unsubscribed"),
            _s("country", required=False, description="country code (US, GB) or name"),
        ),
        key=("customer_id",),
        description="optional: who the customers are (email, name, marketing consent)",
    ),
    # What marketing cost (Google Ads, Meta Ads, email tools' campaign reports): one row per day, channel and
    # campaign. Channels are stored in lower case; export profiles (lib.ingest.profiles) map a platform's name
    # ("Google Ads", "Meta", "Klaviyo") onto the channel vocabulary lib.ingest.profiles.CHANNELS.
    "spend": Feed(
        "spend",
        (
            Column("date", "date", no_future=True),
            _s("channel", lower=True, description="paid_search, paid_social, email, display... (lower case)"),
            _s("campaign", required=False),
            Column("spend", "float", min_value=0, description="cost of the day in the store currency"),
            _s("currency", required=False),
            Column("impressions", "int", required=False, min_value=0),
            Column("clicks", "int", required=False, min_value=0),
        ),
        no_exact_duplicates=True,
        time_column="date",
        description="optional: marketing spend per day, channel and campaign",
    ),
}
FEED_NAMES = tuple(FEEDS)
OPTIONAL_FEEDS = ("promotions", "customers", "spend")     # the app works without them

# --- events ------------------------------------------------------------------------------------
CANONICAL_EVENTS = ("page_view", "view_item", "add_to_cart", "begin_checkout", "purchase")
DEFAULT_FUNNEL = CANONICAL_EVENTS

# GA4 and Shopify (web pixel / customer events) names onto the canonical ones. Other GA4
# recommended events and custom events keep their (normalised) names.
EVENT_ALIASES = {
    # Shopify customer events
    "page_viewed": "page_view",
    "product_viewed": "view_item",
    "product_added_to_cart": "add_to_cart",
    "checkout_started": "begin_checkout",
    "checkout_completed": "purchase",
    # common spellings
    "pageview": "page_view",
    "page_visit": "page_view",
    "product_view": "view_item",
    "view_product": "view_item",
    "addtocart": "add_to_cart",
    "add_to_basket": "add_to_cart",
    "checkout": "begin_checkout",
    "initiate_checkout": "begin_checkout",
    "start_checkout": "begin_checkout",
    "order_completed": "purchase",
    "order_placed": "purchase",
    "transaction": "purchase",
}
_EVENT_OK = re.compile(r"^[a-z][a-z0-9_]{0,39}$")   # GA4's rule for event names


def normalize_event(name) -> str | None:
    """Map an event name onto the vocabulary; None when it cannot be mapped.

    'Add To Cart', 'add-to-cart' and 'product_added_to_cart' all become 'add_to_cart'.
    Names outside the aliases are kept when they are valid GA4-style names (custom events).
    """
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return None
    text = re.sub(r"[\s\-.]+", "_", str(name).strip()).lower()
    text = re.sub(r"_+", "_", text).strip("_")
    text = EVENT_ALIASES.get(text, EVENT_ALIASES.get(text.replace("_", ""), text))
    return text if _EVENT_OK.match(text) else None


# --- email addresses (customers feed) -----------------------------------------------------------
# What email tools accept in practice: one @, no spaces, a dotted domain (a@b, a@b. and a b@c.com are not)
EMAIL_PATTERN = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"
_EMAIL = re.compile(EMAIL_PATTERN)


def valid_email(value) -> bool:
    """True for a plausible email address ('ana@shop.example'); False for blanks and anything else."""
    return isinstance(value, str) and bool(_EMAIL.match(value.strip()))


# --- errors ------------------------------------------------------------------------------------
class FeedError(ValueError):
    """Bad data for a feed. `.failures` is a DataFrame(column, row, value, reason).

    `row` is the spreadsheet row number (the header is row 1, the first data row is row 2);
    it is missing for failures about a whole column.

    `counts` ({reason: number}, most frequent first) and `total` count every failure found, also when
    `.failures` lists only the first of them (a big file validated in chunks: lib.warehouse.chunked).
    """

    def __init__(self, feed: str, failures: pd.DataFrame, source: str | None = None, counts: dict | None = None):
        self.feed = feed
        self.source = source
        self.failures = failures.reset_index(drop=True)[FAILURE_COLUMNS]
        if counts is None:
            counts = self.failures["reason"].value_counts().to_dict()
        self.counts = {str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}
        self.total = sum(self.counts.values())
        super().__init__(self.summary())

    def summary(self, limit: int = 3) -> str:
        n = self.total
        where = f"{self.source} ({self.feed})" if self.source else self.feed
        parts = []
        for rec in self.failures.head(limit).itertuples(index=False):
            row = "" if pd.isna(rec.row) else f"row {int(rec.row)}, "
            val = "" if pd.isna(rec.value) or rec.value == "" else f" ({str(rec.value)[:40]!r})"
            parts.append(f"{row}column {rec.column}: {Reason.TEXT.get(rec.reason, rec.reason)}{val}"
                         f" [{rec.reason}]")
        more = f"; and {n - limit} more" if n > limit else ""
        return f"{where}: {n} problem{'s' if n != 1 else ''}: " + "; ".join(parts) + more

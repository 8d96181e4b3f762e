"""Header profiles of common exports, and the restructuring some of them need.

A profile lists, per feed column, the source headers that fill it (best first) and the
headers that identify the export. Headers compare after `norm_header` (case, spaces and
punctuation do not matter). Restructuring functions take the source frame, the mapped
frame and the mapping, and return the mapped frame; they never coerce values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "Profile", "PROFILES", "SYNONYMS", "CHANNELS", "norm_header", "channel_from", "spend_channel", "first_item_ids",
    "combine_ids", "fill_down", "arrow_text", "consent_values",
]

CHANNELS = ("direct", "organic", "paid_search", "paid_social", "social", "email", "referral",
            "affiliate", "display", "other")


def norm_header(header) -> str:
    """'Order #' -> 'order number', 'traffic_source.medium' -> 'traffic source medium'."""
    text = str(header).lower().replace("#", " number ").replace("%", " pct ")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@dataclass(frozen=True)
class Profile:
    """An export layout: feed it fills, header candidates per column, identifying headers."""

    name: str
    feed: str | None
    candidates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    signature: tuple[str, ...] = ()
    min_signature: int = 0
    needs: tuple[str, ...] = ()        # at least one of these headers must be present
    constants: tuple[tuple[str, str], ...] = ()   # (column, value) filled when the export has no such column
    no_cost: bool = False              # the export carries no cost: spend must come from a column the user adds


# Generic names per feed column, best first (the column's own name always ranks first).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "orders": {
        "order_id": ("order number", "order no", "order", "order ref", "order reference", "invoice number",
                     "transaction id"),
        "ordered_at": ("order date", "ordered at", "order datetime", "order time", "created at", "date",
                       "purchase date", "timestamp"),
        "customer_id": ("customer", "customer email", "email", "customer number", "client id", "buyer email"),
        "sku": ("product id", "product sku", "item sku", "variant sku", "item id", "product code", "item code",
                "article number"),
        "quantity": ("qty", "units", "quantity ordered", "qty ordered", "item quantity"),
        "unit_price": ("price", "unit price", "item price", "price each", "sale price", "selling price"),
        "discount": ("discount amount", "line discount", "item discount"),
        "channel": ("sales channel", "source"),
        "status": ("order status", "line status"),
        "currency": ("currency code", "order currency"),
    },
    "events": {
        "session_id": ("session", "visit id", "ga session id"),
        "event_at": ("event time", "event timestamp", "timestamp", "time", "datetime", "date"),
        "event": ("event name", "event type", "action"),
        "user_id": ("user", "visitor id", "anonymous id", "client id", "user pseudo id"),
        "customer_id": ("customer", "customer email", "email"),
        "channel": ("traffic channel", "default channel group", "source medium"),
        "device": ("device category", "device type"),
        "landing_page": ("landing page url", "entry page", "page url", "page location", "page path", "page"),
        "sku": ("product id", "item id", "product sku"),
        "order_id": ("transaction id", "order number", "order"),
    },
    "inventory": {
        "sku": ("product id", "variant sku", "item id", "product code", "item code"),
        "date": ("snapshot date", "as of", "as of date", "stock date", "inventory date", "date"),
        "on_hand": ("on hand", "quantity on hand", "qty on hand", "stock", "in stock", "available",
                    "stock level", "inventory", "quantity", "qty"),
        "on_order": ("on order", "qty on order", "incoming", "inbound"),
        "location": ("warehouse", "store", "site", "location name"),
    },
    "products": {
        "sku": ("product id", "variant sku", "item id", "product code", "item code"),
        "name": ("product name", "title", "product title", "item name", "product"),
        "category": ("product category", "product type", "type", "department", "collection"),
        "unit_cost": ("cost", "cost per item", "unit cost", "cost price", "cogs", "purchase price"),
        "price": ("unit price", "variant price", "retail price", "selling price", "list price", "sale price"),
        "lead_time_days": ("lead time", "lead time days", "lead time in days", "supplier lead time"),
        "moq": ("minimum order quantity", "min order qty", "min order quantity", "minimum order qty"),
        "case_pack": ("case size", "pack size", "case qty", "case quantity", "inner pack", "units per case"),
        "supplier": ("vendor", "supplier name", "manufacturer"),
        "supplier_sku": ("supplier sku", "vendor sku", "supplier item code", "vendor item code", "supplier code",
                         "supplier part number", "vendor part number", "supplier product code", "supplier ref"),
        "active": ("is active", "enabled", "published"),
    },
    "promotions": {
        "promo_id": ("promotion id", "promo", "promotion", "campaign id", "promo code", "coupon code"),
        "start_date": ("start", "starts", "starts at", "valid from", "from"),
        "end_date": ("end", "ends", "ends at", "valid to", "valid until", "until", "to"),
        "discount_pct": ("discount percent", "discount pct", "percent off", "pct off", "discount"),
        "sku": ("product id", "item id", "product sku"),
        "category": ("product category", "product type"),
        "type": ("promo type", "promotion type", "mechanic"),
        "channel": ("sales channel",),
    },
    "spend": {
        "date": ("day", "reporting starts", "start date", "send date", "send time", "report date"),
        "channel": ("marketing channel", "platform", "source", "medium", "network"),
        "campaign": ("campaign name", "campaign title", "ad campaign", "title"),
        "spend": ("cost", "amount spent", "ad spend", "spent", "media cost", "amount"),
        "currency": ("currency code", "account currency"),
        "impressions": ("impr", "impr.", "impressions"),
        "clicks": ("link clicks", "clicks all", "unique clicks", "total clicks"),
    },
    "customers": {
        "customer_id": ("customer", "customer number", "customer no", "client id", "external id", "profile id",
                        "user id", "id"),
        "email": ("email address", "e mail", "e mail address", "customer email", "mail"),
        "first_name": ("first name", "firstname", "given name", "fname"),
        "last_name": ("last name", "lastname", "surname", "family name", "lname"),
        "accepts_marketing": ("accepts email marketing", "accepts marketing", "email marketing consent",
                              "marketing consent", "email consent", "consent", "opt in", "opted in", "subscribed",
                              "newsletter"),
        "country": ("country code", "default address country code", "country name", "default address country"),
    },
}

SHOPIFY = Profile(
    "shopify_orders", "orders",
    candidates={
        "order_id": ("Name",), "ordered_at": ("Created at",), "customer_id": ("Email",),
        "sku": ("Lineitem sku",), "quantity": ("Lineitem quantity",), "unit_price": ("Lineitem price",),
        "discount": ("Lineitem discount",), "status": ("Financial Status",), "currency": ("Currency",),
        # no "channel": Shopify's "Source" (web, pos, shopify_draft_order...) is the app an order was
        # placed through, not a marketing channel (lib.ingest.shopify)
    },
    signature=("Name", "Financial Status", "Fulfillment Status", "Created at", "Lineitem quantity",
               "Lineitem name", "Lineitem price", "Lineitem sku", "Billing Name"),
    min_signature=4, needs=("Lineitem quantity", "Lineitem sku", "Lineitem price"),
)

_GA4_SESSION = ("ga_session_id", "event_params.ga_session_id", "event_params.ga_session_id.int_value",
                "ga_session_id.int_value", "session_id")
_GA4_MEDIUMS = ("session_traffic_source_last_click.manual_campaign.medium",
                "session_traffic_source_last_click.cross_channel_campaign.medium",
                "collected_traffic_source.manual_medium", "traffic_source.medium", "event_params.medium",
                "medium")
GA4 = Profile(
    "ga4_events", "events",
    candidates={
        "session_id": _GA4_SESSION, "event_at": ("event_timestamp",), "event": ("event_name",),
        "user_id": ("user_pseudo_id",), "customer_id": ("user_id",), "channel": _GA4_MEDIUMS,
        "device": ("device.category", "device_category"),
        "landing_page": ("page_location", "event_params.page_location", "page_path", "landing_page"),
        "sku": ("items", "items.item_id", "item_id"),
        "order_id": ("ecommerce.transaction_id", "transaction_id", "event_params.transaction_id"),
    },
    signature=("event_date", "event_timestamp", "event_name", "user_pseudo_id", "ga_session_id",
               "event_bundle_sequence_id", "device.category", "traffic_source.source", "stream_id",
               "platform", "event_params.ga_session_id"),
    min_signature=3, needs=("event_name",),
)

WOOCOMMERCE = Profile(
    "woocommerce_orders", "orders",
    candidates={
        "order_id": ("Order Number", "Order ID", "order_number_formatted", "Order #"),
        "ordered_at": ("Order Date", "Date Created", "Order Created"),
        "customer_id": ("Billing Email", "Email (Billing)", "Customer Email", "Customer User ID",
                        "Customer ID"),
        "sku": ("SKU", "Item SKU", "Product SKU"),
        "quantity": ("Quantity (- Refund)", "Item Quantity", "Quantity", "Qty"),
        "unit_price": ("Item Cost", "Item Price", "Product Price", "Price"),
        "discount": ("Item Discount Amount", "Item Discount", "Line Discount"),
        "status": ("Order Status", "Status"),
        "currency": ("Order Currency", "Currency"),
    },
    signature=("Quantity (- Refund)", "Item Cost", "Order Line Total", "Payment Method Title",
               "Email (Billing)", "First Name (Billing)", "Customer User ID", "Order Total Amount",
               "Item SKU", "item_quantity", "Order Currency", "Billing Email", "Billing First Name",
               "Order Subtotal Amount", "Shipping Method Title", "Cart Discount Amount", "item_total",
               "order_total", "Order Line Subtotal", "Coupon Code"),
    min_signature=3, needs=("Order Number", "Order ID"),
)

# Shopify admin > Customers > Export (CSV): "Customer ID, First Name, Last Name, Email, Accepts Email
# Marketing, Default Address Company, ... Default Address Country Code, Default Address Zip, Default Address
# Phone, Phone, Accepts SMS Marketing, Total Spent, Total Orders, Note, Tax Exempt, Tags"; older exports have
# "Accepts Marketing", "Country", "Country Code" and no Customer ID. Ids come prefixed with an apostrophe
# ('7210448301122) so that spreadsheets keep them as text; the mapping drops it.
SHOPIFY_CUSTOMERS = Profile(
    "shopify_customers", "customers",
    candidates={
        "customer_id": ("Customer ID",), "email": ("Email",), "first_name": ("First Name",),
        "last_name": ("Last Name",), "accepts_marketing": ("Accepts Email Marketing", "Accepts Marketing"),
        "country": ("Default Address Country Code", "Country Code", "Country"),
    },
    signature=("Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Accepts Marketing",
               "Default Address Country Code", "Default Address Company", "Default Address Zip",
               "Accepts SMS Marketing", "Total Spent", "Total Orders", "Tax Exempt"),
    min_signature=4, needs=("Accepts Email Marketing", "Accepts Marketing", "Total Spent"),
)

# Klaviyo > Lists & segments > Export (CSV): "Email, Klaviyo ID (or Profile ID), First Name, Last Name,
# Organization, Title, Phone Number, Address, Address 2, City, State / Region, Country, Zip Code, ...,
# Source, Consent, Email Marketing Consent, First Active, Last Active, Profile Created On, Date Added, ...".
# Consent comes as Subscribed / Unsubscribed / Never subscribed, or as a list such as ['email', 'web'].
KLAVIYO = Profile(
    "klaviyo_profiles", "customers",
    candidates={
        "customer_id": ("External ID", "Klaviyo ID", "Profile ID", "ID"), "email": ("Email", "Email Address"),
        "first_name": ("First Name",), "last_name": ("Last Name",),
        "accepts_marketing": ("Email Marketing Consent", "Accepts Marketing", "Consent"), "country": ("Country",),
    },
    signature=("Klaviyo ID", "Profile ID", "Email Marketing Consent", "First Active", "Last Active",
               "Profile Created On", "Date Added", "Last Open", "Last Click", "State / Region", "Zip Code",
               "Phone Number", "Organization", "Consent"),
    min_signature=3, needs=("Email", "Email Address"),
)

# Google Ads > Campaigns > Download (CSV), segmented by Day: "Day, Campaign, Campaign type, Campaign status,
# Currency code, Budget, Impr., Clicks, Interactions, Avg. CPC, Cost, Conversions, ..." (the download's two title
# lines above the headers, "Campaign report" and the date range, have to be removed first). Search and Shopping
# campaigns are paid search; Display, Video and Demand Gen campaigns are display (see spend_channel).
GOOGLE_ADS = Profile(
    "google_ads_campaigns", "spend",
    candidates={"date": ("Day", "Date"), "campaign": ("Campaign",), "spend": ("Cost",),
                "currency": ("Currency code", "Currency"), "impressions": ("Impr.", "Impressions"),
                "clicks": ("Clicks",), "channel": ("Campaign type",)},
    signature=("Day", "Campaign", "Campaign type", "Currency code", "Cost", "Impr.", "Clicks", "Avg. CPC",
               "Interactions", "Conv. rate", "Cost / conv.", "Campaign status", "Budget"),
    min_signature=4, needs=("Impr.", "Avg. CPC", "Cost / conv."),
    constants=(("channel", "paid_search"),),
)

# Meta Ads Manager > Reports > Export (CSV), one row per campaign and day: "Reporting starts, Reporting ends,
# Campaign name, Delivery, Results, Result indicator, Reach, Impressions, Cost per results, Amount spent (USD),
# Link clicks, CPC (cost per link click) (USD), CTR (link click-through rate), ...". The currency is in the
# spend header ("Amount spent (EUR)"); the mapping reads it from there.
META_ADS = Profile(
    "meta_ads", "spend",
    candidates={"date": ("Reporting starts", "Day", "Date"), "campaign": ("Campaign name", "Campaign"),
                "spend": ("Amount spent (USD)", "Amount spent (EUR)", "Amount spent (GBP)", "Amount spent",
                          "Amount Spent"),
                "impressions": ("Impressions",), "clicks": ("Link clicks", "Clicks (all)"),
                "currency": ("Currency",), "channel": ("Platform", "Publisher platform")},
    signature=("Reporting starts", "Reporting ends", "Campaign name", "Amount spent (USD)", "Amount spent (EUR)",
               "Amount spent (GBP)", "Link clicks", "Reach", "Frequency", "Results", "Result indicator",
               "Cost per results", "Ad set name", "Delivery"),
    min_signature=3, needs=("Reporting starts", "Amount spent (USD)", "Amount spent (EUR)", "Amount spent (GBP)"),
    constants=(("channel", "paid_social"),),
)

# Klaviyo > Analytics > Campaigns > Export (CSV): "Campaign Name, Tags, Subject, List, Send Time, Send Weekday,
# Total Recipients, Unique Placed Order, Placed Order Rate, Revenue, Unique Opens, Open Rate, Total Opens, Unique
# Clicks, Click Rate, Total Clicks, Unsubscribes, Spam Complaints, ...". No cost column: email costs the plan fee,
# which the export does not know. The profile takes spend from a "Cost" (or "Spend") column the user adds and
# otherwise refuses the file with a FeedError saying so (lib.ingest.mapping); recipients count as impressions.
KLAVIYO_CAMPAIGNS = Profile(
    "klaviyo_campaigns", "spend",
    candidates={"date": ("Send Time", "Send Date"), "campaign": ("Campaign Name",), "spend": ("Cost", "Spend"),
                "impressions": ("Total Recipients", "Successful Deliveries"), "clicks": ("Unique Clicks",)},
    signature=("Campaign Name", "Send Time", "Send Weekday", "Total Recipients", "Unique Placed Order",
               "Placed Order Rate", "Unique Opens", "Open Rate", "Unique Clicks", "Click Rate", "Spam Complaints"),
    min_signature=4, needs=("Send Time", "Unique Placed Order", "Placed Order Rate"),
    constants=(("channel", "email"),), no_cost=True,
)

# Mailchimp > Reports > Export (CSV of campaigns): "Title, Subject, List, Send Date, Send Weekday, Total Recipients,
# Successful Deliveries, Soft Bounces, Hard Bounces, Total Bounces, Times Forwarded, Forwarded Opens, Unique Opens,
# Open Rate, Total Opens, Unique Clicks, Click Rate, Total Clicks, Unsubscribes, Abuse Complaints, ...". No cost
# column either (as Klaviyo).
MAILCHIMP_CAMPAIGNS = Profile(
    "mailchimp_campaigns", "spend",
    candidates={"date": ("Send Date",), "campaign": ("Title", "Campaign Name"), "spend": ("Cost", "Spend"),
                "impressions": ("Successful Deliveries", "Total Recipients"), "clicks": ("Unique Clicks",)},
    signature=("Title", "Subject", "List", "Send Date", "Send Weekday", "Total Recipients", "Successful Deliveries",
               "Soft Bounces", "Hard Bounces", "Times Forwarded", "Abuse Complaints", "Unique Opens"),
    min_signature=5, needs=("Successful Deliveries", "Abuse Complaints", "Hard Bounces"),
    constants=(("channel", "email"),), no_cost=True,
)

CANONICAL = Profile("canonical", None)
PROFILES: dict[str, Profile] = {p.name: p for p in (SHOPIFY, GA4, WOOCOMMERCE, SHOPIFY_CUSTOMERS, KLAVIYO,
                                                    GOOGLE_ADS, META_ADS, KLAVIYO_CAMPAIGNS, MAILCHIMP_CAMPAIGNS,
                                                    CANONICAL)}


# --- restructuring helpers -----------------------------------------------------------------------
def fill_down(values: pd.Series, keys: pd.Series) -> pd.Series:
    """Blank cells take the value above them within the same key (rows without a key stay)."""
    filled = values.groupby(keys, sort=False).ffill()
    return filled.where(keys.notna(), values)


def _id_text(values: pd.Series) -> pd.Series:
    """Ids as text: whole floats lose their '.0' (1791051600.0 -> '1791051600'), text is stripped."""
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values % 1 == 0) & (values.abs() < 2**53)
        text = values.astype("str")
        text[whole] = values[whole].astype("int64").astype("str")
        return text
    if pd.api.types.is_integer_dtype(values):
        return values.astype("str")
    text = values.astype("str").str.strip()
    return text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)


def combine_ids(left: pd.Series, right: pd.Series, sep: str = ":") -> pd.Series:
    """'<left><sep><right>' per row; missing when either part is missing or blank."""
    a, b = _id_text(left), _id_text(right)
    return a.mask(a.eq("")) + sep + b.mask(b.eq(""))


_ITEM_ID = r"""['"]item_id['"]\s*:\s*(?:"(?P<a>(?:[^"\\]|\\.)*)"|'(?P<b>[^']*)'|(?P<c>-?[\w.\-]+))"""


def first_item_ids(values: pd.Series) -> pd.Series:
    """The first item_id in a GA4 items array (JSON or Python repr text), else missing."""
    found = pc.extract_regex(arrow_text(values), _ITEM_ID)
    parts = [pc.struct_field(found, k) for k in ("a", "b", "c")]
    first = pc.coalesce(*(pc.if_else(pc.equal(pc.utf8_trim_whitespace(p), ""), pa.scalar(None, pa.string()), p)
                          for p in parts))
    return pd.Series(pd.array(first, dtype="str"), index=values.index)


_CONSENT_YES = {"subscribed", "opted in", "opted_in", "opt in", "confirmed", "email", "single opt in",
                "confirmed opt in", "double opt in"}
_CONSENT_NO = {"unsubscribed", "never subscribed", "never_subscribed", "not subscribed", "not_subscribed",
               "suppressed", "pending", "invalid", "[]"}


def consent_values(values: pd.Series) -> pd.Series:
    """Email marketing consent words as yes/no (validation reads them as booleans); other values unchanged.

    Klaviyo's Subscribed / Unsubscribed / Never subscribed, Shopify's SUBSCRIBED / NOT_SUBSCRIBED / PENDING
    (pending double opt-in is not consent yet), and consent lists such as "['email', 'web']" (yes when email
    is among them); yes/no, true/false and blanks pass through.
    """
    text = values.astype("str").str.strip()
    low = text.str.lower().str.replace(r"[\s_\-]+", " ", regex=True)
    listed = low.str.startswith("[") & low.str.endswith("]")
    out = values.astype(object).copy()
    out[low.isin(_CONSENT_YES).fillna(False).to_numpy()] = "yes"
    out[low.isin({w.replace("_", " ") for w in _CONSENT_NO}).fillna(False).to_numpy()] = "no"
    has_email = low.str.contains(r"['\"]email['\"]", regex=True).fillna(False)
    out[(listed.fillna(False) & has_email).to_numpy()] = "yes"
    out[(listed.fillna(False) & ~has_email).to_numpy()] = "no"
    return out


def arrow_text(values: pd.Series) -> pa.Array:
    """A column as a pyarrow string array (zero-copy for pandas' pyarrow-backed text)."""
    text = values.astype("str").array
    if hasattr(text, "__arrow_array__"):
        arr = pa.array(text, type=pa.string())
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    return pa.array(text.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


_SOCIAL = {"facebook", "fb", "instagram", "ig", "twitter", "linkedin", "lnkd", "pinterest", "tiktok",
           "reddit", "youtube", "snapchat", "threads", "whatsapp", "messenger", "tumblr", "quora"}
_SEARCH = {"google", "bing", "yahoo", "duckduckgo", "baidu", "yandex", "ecosia", "naver", "qwant",
           "seznam", "startpage", "aol", "ask", "brave"}
_PAID_SEARCH = {"cpc", "ppc", "paidsearch", "paid search", "sem"}
_DISPLAY = {"display", "banner", "cpm", "interstitial", "expandable"}
_EMAIL = {"email", "e mail", "newsletter", "mail"}
_SOCIAL_MEDIUM = {"social", "social network", "social media", "sm", "organic social"}
_DIRECT_MEDIUM = {"(none)", "none"}
_NOT_SET = {"", "(not set)", "(data deleted)", "(not provided)", "nan", "none_set"}


_GOOGLE_DISPLAY = {"display", "video", "demand gen", "discovery", "youtube"}
# platform words channel_from's source lists do not know (it knows google, bing, facebook, instagram, tiktok...)
_AD_SEARCH = {"microsoft", "adwords", "search", "shopping", "performance max", "pmax", "sem", "ppc"}
_AD_SOCIAL = {"meta", "audience network", "social ads", "paid social"}
_EMAIL_TOOLS = {"klaviyo", "mailchimp", "omnisend", "brevo", "sendinblue", "emarsys", "drip", "campaign monitor",
                "activecampaign", "email", "e mail", "newsletter"}


def spend_channel(value) -> str | None:
    """The channel of a spend row from what the source calls it: a channel of CHANNELS as it is ("Paid Search"
    -> paid_search), an ad platform or campaign type onto the channel ("Google Ads", "Search", "Shopping" ->
    paid_search; "Facebook", "Meta", "Instagram", "TikTok" -> paid_social; "Display", "Video", "Demand Gen" ->
    display; "Klaviyo", "Mailchimp" -> email); anything else in lower case with underscores."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = re.sub(r"[^a-z0-9]+", " ", str(value).lower()).strip()
    if not text:
        return None
    if text.replace(" ", "_") in CHANNELS:
        return text.replace(" ", "_")
    words = set(text.split()) | {text}
    phrases = {" ".join(p) for p in zip(text.split(), text.split()[1:], strict=False)}
    found = words | phrases
    if found & _EMAIL_TOOLS:
        return channel_from(text, "email")
    if found & _GOOGLE_DISPLAY:
        return "display"
    paid = channel_from(text, "paid")        # an ad platform named like a traffic source: GA4's grouping
    if paid in ("paid_search", "paid_social"):
        return paid
    if found & _AD_SOCIAL:
        return "paid_social"
    if found & _AD_SEARCH:
        return "paid_search"
    return text.replace(" ", "_")


def channel_from(source, medium) -> str | None:
    """A channel from a UTM/GA4 source and medium (GA4's default grouping, simplified)."""
    s = "" if source is None or pd.isna(source) else str(source).strip().lower()
    m = "" if medium is None or pd.isna(medium) else str(medium).strip().lower()
    if s in _NOT_SET and m in _NOT_SET:
        return None
    tokens = set(re.split(r"[^a-z0-9]+", s)) - {""}
    social = bool(tokens & _SOCIAL) or s in ("t.co", "x.com")
    search = bool(tokens & _SEARCH)
    mt = re.sub(r"[^a-z0-9()]+", " ", m).strip()
    if mt in _DIRECT_MEDIUM or s in ("(direct)", "direct"):
        return "direct"
    if mt in _PAID_SEARCH:
        return "paid_social" if social else "paid_search"
    if mt.startswith("paid") or mt in ("cpv", "cpa", "cpp", "paid social"):
        return "paid_social" if social else ("paid_search" if search else "other")
    if mt in _DISPLAY:
        return "display"
    if mt in _EMAIL or s in _EMAIL:
        return "email"
    if mt.startswith("affiliate"):
        return "affiliate"
    if social or mt in _SOCIAL_MEDIUM:
        return "social"
    if mt == "organic":
        return "organic"
    if mt == "referral":
        return "referral"
    return "other"

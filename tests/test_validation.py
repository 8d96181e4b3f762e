"""Feed validation: every failure collected with column, spreadsheet row, value and reason."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib.schema import FEEDS, FeedError, normalize_event
from lib.warehouse import coerce
from lib.warehouse.validation import duplicated_rows, validate


def failures(feed, df, **kw):
    with pytest.raises(FeedError) as info:
        validate(feed, df, **kw)
    return info.value.failures.astype(object).where(info.value.failures.notna(), None).values.tolist()


def test_declared_feeds_match_design():
    assert FEEDS["orders"].required == ["order_id", "ordered_at", "customer_id", "sku", "quantity", "unit_price"]
    assert FEEDS["orders"].optional == ["discount", "channel", "status", "currency"]
    assert FEEDS["events"].required == ["session_id", "event_at", "event"]
    assert FEEDS["inventory"].required == ["sku", "date", "on_hand"]
    assert FEEDS["products"].required == ["sku", "name", "category", "unit_cost", "price"]
    assert FEEDS["products"].key == ("sku",)
    assert FEEDS["promotions"].required == ["promo_id", "start_date", "end_date", "discount_pct"]
    assert FEEDS["customers"].required == ["customer_id"]
    assert FEEDS["customers"].optional == ["email", "first_name", "last_name", "accepts_marketing", "country"]
    assert FEEDS["customers"].key == ("customer_id",)


def test_every_failure_is_collected_in_row_order():
    df = pd.DataFrame({
        "order_id": ["A1", "A2", "A3", "A1"],
        "ordered_at": ["2026-03-01 09:00", "31/02/2026", "2026-03-02", "2026-03-01 09:00"],
        "customer_id": ["c1", "", "c3", "c1"],
        "sku": ["S1", "S2", "S3", "S1"],
        "quantity": ["1", "two", "-1", "1"],
        "unit_price": ["10.00", "5.00", "-2.50", "10.00"],
    })
    assert failures("orders", df) == [
        ["ordered_at", 3, "31/02/2026", "unparseable_date"],
        ["customer_id", 3, None, "missing_value"],
        ["quantity", 3, "two", "not_numeric"],
        ["unit_price", 4, "-2.50", "negative_value"],
        ["order_id", 5, "A1", "duplicate_row"],
    ]


def test_missing_columns_and_value_errors_together():
    df = pd.DataFrame({"sku": ["S1", "S2"], "date": ["2026-01-01", "2026-01-01"], "on_hand": ["3", "-1"]})
    assert failures("products", df.rename(columns={"date": "x"})) == [
        ["name", None, None, "missing_column"],
        ["category", None, None, "missing_column"],
        ["unit_cost", None, None, "missing_column"],
        ["price", None, None, "missing_column"],
    ]
    assert failures("inventory", df) == [["on_hand", 3, "-1", "negative_value"]]


def test_duplicate_keys():
    products = pd.DataFrame({"sku": ["A", "B", "A"], "name": ["a", "b", "a2"], "category": ["c"] * 3,
                             "unit_cost": [1, 1, 1], "price": [2, 2, 2]})
    assert failures("products", products) == [["sku", 4, "A", "duplicate_key"]]
    inv = pd.DataFrame({"sku": ["A", "A", "A"], "date": ["2026-01-01", "2026-01-02", "2026-01-01"],
                        "on_hand": [1, 2, 3], "location": ["main", "main", "main"]})
    assert failures("inventory", inv) == [["sku", 4, "A / 2026-01-01 / main", "duplicate_key"]]


def test_events_names_mapped_or_rejected():
    ev = pd.DataFrame({"session_id": ["s"] * 5, "event_at": ["2026-01-01T10:00:00Z"] * 5,
                       "event": ["Page View", "product_added_to_cart", "checkout_completed", "!!!", "scroll"]})
    assert failures("events", ev) == [["event", 5, "!!!", "unknown_event"]]
    ok = validate("events", ev.drop(index=3)).frame
    assert ok["event"].tolist() == ["page_view", "add_to_cart", "purchase", "scroll"]


def test_promotion_rules():
    promo = pd.DataFrame({"promo_id": ["P1", "P2", "P3"], "start_date": ["2026-03-01"] * 3,
                          "end_date": ["2026-03-10", "2026-02-01", "2026-03-05"], "discount_pct": ["20", "10", "150"],
                          "sku": ["S1", None, "S2"], "category": [None, None, None]})
    assert failures("promotions", promo) == [
        ["end_date", 3, "2026-02-01", "end_before_start"],
        ["sku", 3, None, "needs_sku_or_category"],
        ["discount_pct", 4, "150", "out_of_range"],
    ]


def test_future_dates_only_for_history_feeds():
    inv = pd.DataFrame({"sku": ["A", "A"], "date": ["2026-01-31", "2026-02-01"], "on_hand": [1, 1]})
    assert failures("inventory", inv, as_of=date(2026, 1, 31)) == [["date", 3, "2026-02-01", "future_date"]]
    promo = pd.DataFrame({"promo_id": ["P"], "start_date": ["2026-12-01"], "end_date": ["2026-12-02"],
                          "discount_pct": [10], "category": ["Tops"]})
    assert len(validate("promotions", promo, as_of=date(2026, 1, 31)).frame) == 1


def test_defaults_and_types():
    df = pd.DataFrame({"sku": ["A"], "name": ["Tee"], "category": ["Tops"], "unit_cost": ["4,50"], "price": ["9,90"],
                       "active": ["archived"]})
    out = validate("products", df).frame.iloc[0]
    assert (out["unit_cost"], out["price"], out["moq"], out["case_pack"], out["active"]) == (4.5, 9.9, 1, 1, False)


@pytest.mark.parametrize("raw,expected", [
    (["1.234,50", "12,5"], [1234.5, 12.5]),
    (["1,234.50", "12.5"], [1234.5, 12.5]),
    (["$1,234.50", "(3.00)"], [1234.5, -3.0]),
    (["€ 12,00", "1 234,50"], [12.0, 1234.5]),
    (["1.234.567", "2"], [1234567.0, 2.0]),
])
def test_numbers_from_real_files(raw, expected):
    vals, bad = coerce.to_number(pd.Series(raw))
    assert vals.tolist() == expected and not bad.any()


@pytest.mark.parametrize("raw,tz,dayfirst,expected", [
    (["2026-10-03 14:22:05 -0400"], "America/New_York", False, ["2026-10-03 14:22:05"]),
    (["2026-10-03T18:22:05Z"], "America/New_York", False, ["2026-10-03 14:22:05"]),
    (["2026-10-03T20:22:05+02:00"], "Europe/Berlin", False, ["2026-10-03 20:22:05"]),
    (["10/03/2026 2:22 PM", "12/31/2026 9:00 AM"], "UTC", False, ["2026-10-03 14:22:00", "2026-12-31 09:00:00"]),
    (["03.10.2026 14:22", "31.12.2026 09:00"], "UTC", False, ["2026-10-03 14:22:00", "2026-12-31 09:00:00"]),
    (["03/10/2026", "04/10/2026"], "UTC", True, ["2026-10-03", "2026-10-04"]),
    (["03/10/2026", "04/10/2026"], "UTC", False, ["2026-03-10", "2026-04-10"]),
    (["13/10/2026", "04/10/2026"], "UTC", False, ["2026-10-13", "2026-10-04"]),
    (["1759501325000000"], "UTC", False, ["2025-10-03 14:22:05"]),      # GA4 microseconds
    (["20261003"], "UTC", False, ["2026-10-03"]),                       # GA4 event_date
])
def test_dates_from_real_files(raw, tz, dayfirst, expected):
    vals, bad = coerce.to_datetime(pd.Series(raw), tz=tz, dayfirst=dayfirst)
    assert not bad.any()
    assert vals.tolist() == [pd.Timestamp(x) for x in expected]


def test_epoch_numbers_and_aware_datetimes():
    micros = pd.Series([1759501325000000, 1759501326000000])
    vals, _ = coerce.to_datetime(micros, tz="America/New_York")
    assert vals.tolist() == [pd.Timestamp("2025-10-03 10:22:05"), pd.Timestamp("2025-10-03 10:22:06")]
    aware = pd.Series(pd.to_datetime(["2026-06-01 12:00"]).tz_localize("UTC"))
    vals, _ = coerce.to_datetime(aware, tz="Europe/Berlin")
    assert vals.tolist() == [pd.Timestamp("2026-06-01 14:00")]


@pytest.mark.parametrize("name,expected", [("Add To Cart", "add_to_cart"), ("add-to-cart", "add_to_cart"),
                                           ("checkout_started", "begin_checkout"), ("PURCHASE", "purchase"),
                                           ("", None), ("9lives", None), ("view_item_list", "view_item_list")])
def test_event_normalisation(name, expected):
    assert normalize_event(name) == expected


def test_fast_duplicate_detection_matches_pandas():
    import numpy as np
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"a": rng.integers(0, 50, 250_000).astype(str), "b": rng.integers(0, 60, 250_000)})
    assert duplicated_rows(df, ["a", "b"]).tolist() == df.duplicated().tolist()


def test_customers_duplicates_consent_and_email_checks():
    """A customer id twice is an error (whose address would it be?); consent must read as yes/no; a malformed
    email is a warning only: the row loads, the address is kept out of email audiences."""
    df = pd.DataFrame({"customer_id": ["c1", "c2", "c1", "c4"],
                       "email": ["Ana@Example.com ", "bo@example", "", "cy@shop.example"],
                       "accepts_marketing": ["yes", "maybe", "no", ""]})
    assert failures("customers", df) == [
        ["accepts_marketing", 3, "maybe", "not_allowed"],
        ["customer_id", 4, "c1", "duplicate_key"],
    ]
    df.loc[2, "customer_id"] = "c3"
    df.loc[1, "accepts_marketing"] = "true"
    checked = validate("customers", df)
    assert checked.frame["email"].tolist() == ["ana@example.com", "bo@example", pd.NA, "cy@shop.example"]
    assert checked.frame["accepts_marketing"].tolist() == [True, True, False, pd.NA]
    assert checked.warnings.astype(object).values.tolist() == [["email", 3, "bo@example", "invalid_email"]]


def test_number_cleaning_strips_what_python_calls_space():
    """Numbers lose every character Python's `\\s` matches (Arrow's RE2, which now runs the pattern, reads
    `\\s` as ASCII only: the list is spelled out) plus apostrophes and currency."""
    import re
    import sys

    spaces = {chr(i) for i in range(sys.maxunicode + 1) if re.match(r"\s", chr(i))}
    assert set(coerce._SPACES) == spaces
    txt = pd.Series(["1\u20030,5", "\x1c2\x85", "(3\u3000000,25)", "4.000,5\u202f€", "USD 5", "6'000", "7-",
                     "1\u200b0", None], dtype="string")
    vals, bad = coerce.to_number(txt, decimal=",")
    assert vals.tolist()[:7] == [10.5, 2.0, -3000.25, 4000.5, 5.0, 6000.0, -7.0]
    assert vals.isna().tolist()[7:] == [True, True]
    assert bad.tolist() == [False] * 7 + [True, False]    # a zero-width space is not a space to Python

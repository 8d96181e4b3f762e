"""The optional spend feed: declaration and validation, the export profiles (Google Ads, Meta Ads, Klaviyo and
Mailchimp campaign reports) loaded from the sample files through the upload path, channel names, file formats,
and a warehouse made before the feed."""
from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from lib import ingest
from lib.ingest import mapping as mp
from lib.ingest.profiles import spend_channel
from lib.schema import FEEDS, OPTIONAL_FEEDS, FeedError
from lib.settings import Settings
from lib.warehouse import Warehouse
from lib.warehouse.validation import validate

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
T0 = datetime(2026, 12, 1)


def _rows(wh) -> list[list]:
    got = wh.read("SELECT date, channel, campaign, spend, currency, impressions, clicks FROM spend "
                  "ORDER BY date, channel, campaign")
    got["date"] = pd.to_datetime(got["date"]).dt.date
    return got.astype(object).where(got.notna(), None).values.tolist()


@pytest.fixture
def duck(tmp_path):
    w = Warehouse.open(url=f"duckdb:///{tmp_path}/wh.duckdb", settings=Settings(store_timezone="UTC"))
    yield w
    w.dispose()


def test_spend_is_an_optional_feed():
    assert "spend" in OPTIONAL_FEEDS
    spec = FEEDS["spend"]
    assert spec.required == ["date", "channel", "spend"]
    assert spec.optional == ["campaign", "currency", "impressions", "clicks"]


def test_validation_rules():
    df = pd.DataFrame({"date": ["2026-11-01", "2026-11-02", "bad", "2026-11-03"],
                       "channel": ["Paid_Search", None, "email", "email"], "spend": ["1,234.50", "3", "1", "-2"],
                       "clicks": [3, None, 1, 1.5]})
    with pytest.raises(FeedError) as err:
        validate("spend", df)
    got = {(r.column, int(r.row), r.reason) for r in err.value.failures.itertuples()}
    assert got == {("channel", 3, "missing_value"), ("date", 4, "unparseable_date"), ("spend", 5, "negative_value"),
                   ("clicks", 5, "not_integer")}
    ok = validate("spend", df.iloc[:1]).frame
    assert ok.loc[0, "channel"] == "paid_search" and ok.loc[0, "spend"] == 1234.5


@pytest.mark.parametrize("value, channel", [
    ("Google Ads", "paid_search"), ("Bing Ads", "paid_search"), ("Microsoft Advertising", "paid_search"),
    ("Shopping", "paid_search"), ("Performance Max", "paid_search"), ("Facebook", "paid_social"),
    ("Meta", "paid_social"), ("Instagram", "paid_social"), ("TikTok Ads", "paid_social"), ("Klaviyo", "email"),
    ("Mailchimp", "email"), ("Display", "display"), ("Video", "display"), ("Paid Search", "paid_search"),
    ("affiliate", "affiliate"), ("Partner X", "partner_x"), ("", None), (None, None)])
def test_spend_channel_names(value, channel):
    assert spend_channel(value) == channel


def test_google_ads_campaign_report_loads(duck):
    sample = SAMPLES / "google_ads_campaign_report.csv"
    prep = ingest.prepare_file(sample.read_bytes(), sample.name, wh=duck)
    assert (prep.feed, prep.profile, prep.missing) == ("spend", "google_ads_campaigns", [])
    assert prep.mapping == {"date": "Day", "channel": "Campaign type", "campaign": "Campaign", "spend": "Cost",
                            "currency": "Currency code", "impressions": "Impr.", "clicks": "Clicks"}
    rep = ingest.load_prepared(duck, prep)
    assert (rep.feed, rep.rows) == ("spend", 6)
    d1, d2 = date(2026, 11, 1), date(2026, 11, 2)
    assert _rows(duck) == [
        [d1, "display", "Display - Remarketing", 18.20, "USD", 22410, 35],
        [d1, "paid_search", "Search - Brand", 36.48, "USD", 1204, 96],
        [d1, "paid_search", "Search - Generic", 119.21, "USD", 3870, 131],
        [d1, "paid_search", "Shopping - All products", 65.12, "USD", 9512, 88],
        [d2, "paid_search", "Search - Brand", 37.44, "USD", 1318, 104],
        [d2, "paid_search", "Search - Generic", 1019.00, "USD", 4102, 140],
    ]


def test_meta_ads_report_loads(duck):
    sample = SAMPLES / "meta_ads_report.csv"
    prep = ingest.prepare_file(sample.read_bytes(), sample.name, wh=duck)
    assert (prep.feed, prep.profile, prep.missing) == ("spend", "meta_ads", [])
    assert {k: v for k, v in prep.mapping.items() if v} == {
        "date": "Reporting starts", "campaign": "Campaign name", "spend": "Amount spent (EUR)",
        "impressions": "Impressions", "clicks": "Link clicks"}
    ingest.load_prepared(duck, prep)
    d1, d2 = date(2026, 11, 1), date(2026, 11, 2)
    assert _rows(duck) == [          # the channel from the profile, the currency from the spend header
        [d1, "paid_social", "Prospecting - Lookalike", 85.23, "EUR", 10544, 97],
        [d1, "paid_social", "Retargeting - Site visitors", 35.80, "EUR", 4730, 61],
        [d2, "paid_social", "Prospecting - Lookalike", 81.07, "EUR", 10012, 88],
        [d2, "paid_social", "Retargeting - Site visitors", 31.15, "EUR", 4388, None],
    ]


def test_klaviyo_campaigns_report_with_a_cost_column_loads(duck):
    sample = SAMPLES / "klaviyo_campaigns_report.csv"
    prep = ingest.prepare_file(sample.read_bytes(), sample.name, wh=duck)
    assert (prep.feed, prep.profile, prep.missing) == ("spend", "klaviyo_campaigns", [])
    ingest.load_prepared(duck, prep)
    assert _rows(duck) == [           # send day, channel email, recipients as impressions, unique clicks
        [date(2026, 11, 3), "email", "November newsletter", 12.5, None, 12480, 612],
        [date(2026, 11, 24), "email", "Black Friday early access", 4.0, None, 3120, 402],
        [date(2026, 11, 27), "email", "Black Friday", 12.5, None, 12615, 1188],
    ]


@pytest.mark.parametrize("name, header", [
    ("klaviyo_campaigns", "Campaign Name,Send Time,Send Weekday,Total Recipients,Unique Placed Order,Placed Order "
                          "Rate,Unique Opens,Open Rate,Unique Clicks,Click Rate\n"
                          "Newsletter,2026-11-03 10:00:00,Tuesday,100,1,1%,50,50%,5,5%\n"),
    ("mailchimp_campaigns", "Title,Subject,List,Send Date,Send Weekday,Total Recipients,Successful Deliveries,Soft "
                            "Bounces,Hard Bounces,Abuse Complaints,Unique Opens,Unique Clicks\n"
                            "Newsletter,Hi,All,2026-11-03,Tuesday,100,98,1,1,0,40,6\n"),
])
def test_an_email_export_without_cost_is_refused_with_the_way_out(duck, name, header):
    prep = ingest.prepare_file(header.encode(), f"{name}.csv", wh=duck)
    assert (prep.feed, prep.profile, prep.missing) == ("spend", name, ["spend"])
    for run in (ingest.load_prepared, ingest.check_prepared):
        with pytest.raises(FeedError) as err:
            run(duck, prep)
        assert err.value.failures["reason"].tolist() == ["no_cost_column"]
        assert "this export carries no cost: add a column named Cost" in str(err.value)
        assert f"upload:{name}.csv (spend)" in str(err.value)
    assert duck.row_counts()["spend"] == 0


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_a_canonical_spend_file_loads_from_excel_and_parquet(duck, fmt):
    df = pd.DataFrame({"date": [date(2026, 11, 1), date(2026, 11, 2)], "channel": ["Google Ads", "Facebook"],
                       "campaign": ["Brand", "Prospecting"], "spend": [10.5, 20.0]})
    buf = io.BytesIO()
    if fmt == "xlsx":
        df.to_excel(buf, index=False)
    else:
        df.to_parquet(buf, index=False)
    prep = ingest.prepare_file(buf.getvalue(), f"spend.{fmt}", wh=duck)
    assert (prep.feed, prep.missing) == ("spend", [])
    ingest.load_prepared(duck, prep)
    assert [r[:4] for r in _rows(duck)] == [[date(2026, 11, 1), "paid_search", "Brand", 10.5],
                                            [date(2026, 11, 2), "paid_social", "Prospecting", 20.0]]


def test_guess_feed_for_generic_spend_headers():
    assert mp.guess_feed(["Date", "Source", "Campaign", "Cost"]) == "spend"
    assert mp.guess_feed(["Day", "Platform", "Ad spend", "Clicks"]) == "spend"


def test_a_warehouse_made_before_the_spend_feed_gains_it_and_keeps_its_data(wh_url):
    """The spend feed is a new table: opening a warehouse created without it adds it (same schema version, no
    migration, nothing rebuilt); loaded feeds, load records and saved mappings stay as they were."""
    from sqlalchemy import create_engine, text

    w = Warehouse.open(url=wh_url, settings=Settings(store_timezone="UTC"))
    w.load("products", pd.DataFrame({"sku": ["A"], "name": ["a"], "category": ["x"], "unit_cost": [1.0],
                                     "price": [2.0]}), source="p.csv", now=T0)
    w.save_mapping("upload:p.csv", "products", {"sku": "SKU"}, now=T0)
    version = w.data_version()
    w.dispose()
    if wh_url.startswith("chdb"):
        w = Warehouse.open(url=wh_url, settings=Settings(store_timezone="UTC"))
        with w.engine.begin() as c:
            c.execute(text("DROP TABLE spend"))
        w.dispose()
    else:
        eng = create_engine(wh_url)
        with eng.begin() as c:
            c.execute(text("DROP TABLE spend"))
        eng.dispose()
    w = Warehouse.open(url=wh_url, settings=Settings(store_timezone="UTC"))
    try:
        assert w.row_counts()["spend"] == 0 and w.row_counts()["products"] == 1
        assert w.load_history()["feed"].tolist() == ["products"] and w.data_version() == version
        assert w.get_mapping("upload:p.csv", "products") == {"sku": "SKU"}
        rep = w.load("spend", pd.DataFrame({"date": ["2026-11-01"], "channel": ["email"], "spend": [3.0]}),
                     source="s.csv", now=T0)
        assert rep.rows == 1 and w.row_counts()["spend"] == 1
    finally:
        w.dispose()

"""Number and label formatting for people (lib/fmt.py): hand-written expectations."""
from lib import fmt


def test_words_reads_keys_as_words():
    assert fmt.words("paid_search") == "Paid search"
    assert fmt.words("none") == "No breakdown"
    assert fmt.words("channel") == "Channel"
    assert fmt.words("landing_page") == "Landing page"
    assert fmt.words("Email") == "Email"
    assert fmt.words(None) == "–"


def test_change_and_percentages():
    assert fmt.pct(0.1234) == "12.3%"
    assert fmt.change_pct(110, 100) == "+10.0%"
    assert fmt.change_pct(0, 0) == "–"
    assert fmt.change_pct(5, 0) == "new"


def test_one_money_format_full_amounts_cents_only_under_ten_thousand():
    # never compact: the issue saw "$177.4k" next to "$88,638.99" on one page
    assert fmt.money(177_412.35) == "$177,412"
    assert fmt.money(88_638.99) == "$88,639"
    assert fmt.money(4_560_000) == "$4,560,000"
    assert fmt.money(2158.5299999999997) == "$2,158.53"
    assert fmt.money(88.64) == "$88.64"
    assert fmt.money(9_999.994) == "$9,999.99"
    assert fmt.money(9_999.996) == "$10,000"        # rounds up across the line: no "$10,000.00"
    assert fmt.money(-12_345.6) == "-$12,346"
    assert fmt.money(-0.001) == "$0.00"             # no "-$0.00"
    assert fmt.money(1_234.5, "EUR") == "€1,234.50"
    assert fmt.money(250_000, "SEK") == "SEK 250,000"
    assert fmt.money(1_234.6, decimals=0) == "$1,235"
    assert fmt.money(123_456.789, decimals=2) == "$123,456.79"
    assert fmt.money(None) == "–" and fmt.money(float("nan")) == "–"


def test_file_stem_names_the_range_comparison_and_filters():
    from datetime import date

    assert fmt.file_stem("Revenue by channel", date(2026, 11, 1), date(2026, 11, 30),
                         (date(2026, 10, 1), date(2026, 10, 31)), channel=["email", "paid_search"], category=[]) == (
        "revenue-by-channel_2026-11-01_to_2026-11-30_vs_2026-10-01_to_2026-10-31_channel-email-paid-search")
    assert fmt.file_stem("cohorts", grain="month", by="Acquisition channel") == (
        "cohorts_grain-month_by-acquisition-channel")
    assert fmt.file_stem("x", channel="a/b:c") == "x_channel-a-b-c"


def test_span_reads_as_a_report_writes_dates():
    from datetime import date

    from lib.fmt import span
    assert span(date(2026, 6, 1), date(2026, 6, 7)) == "1–7 Jun"
    assert span(date(2026, 5, 28), date(2026, 6, 3)) == "28 May – 3 Jun"
    assert span(date(2026, 12, 28), date(2027, 1, 3)) == "28 Dec 2026 – 3 Jan 2027"
    assert span(date(2026, 6, 5), date(2026, 6, 5)) == "5 Jun" and span(None, date(2026, 1, 1)) == "–"

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

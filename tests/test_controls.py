"""Old links keep working when a control's URL value changes (lib/ui/widgets/controls.py: LINK_ALIASES): a bound
widget keeps its label in the URL, so a renamed preset or a key now shown in words would otherwise be
refused ("Ignored from the link") and the view lost."""
from __future__ import annotations

from streamlit.runtime.state import query_params as qp

from lib.ui.widgets import controls


def test_aliases_read_old_values_as_todays_labels():
    assert controls.alias("range", "Month to date") == "This month"
    assert controls.alias("range", "Last 30 days") == "Last 30 days"              # unchanged
    assert controls.alias("channel", "paid_search") == "Paid search"
    assert controls.alias("channel", "Paid search") == "Paid search"              # today's links stay as they are
    assert controls.alias("channel", "sms") == "SMS"
    assert controls.alias("cby", "channel") == "Acquisition channel"
    assert controls.alias("cby", "none") == "No breakdown"
    assert controls.alias("cgrain", "weekly") == "Weekly"
    assert controls.alias("cval", "paid_search") == "Paid search"
    assert controls.alias("metric", "Revenue") == "Revenue"                       # keys without aliases


def test_streamlit_reads_every_query_string_through_the_aliases():
    controls.install_link_aliases()
    controls.install_link_aliases()                      # idempotent: wrapped once
    parsed = qp._parse_query_string("range=Month+to+date&channel=email&channel=paid_search&cby=category&x=none")
    assert parsed == {"range": ["This month"], "channel": ["Email", "Paid search"], "cby": ["First category"],
                      "x": ["none"]}
    assert qp._parse_query_string("channel=") == {"channel": [""]}        # an empty value (clears) stays empty


def test_keys_for_turns_link_labels_back_into_data_keys():
    from lib.sharing.links import keys_for

    known = ["email", "paid_search", "web"]
    assert keys_for("channel", ["Paid search", "web", "Email"], known) == ["paid_search", "web", "email"]
    assert keys_for("channel", ["paid_search", "Paid search"], known) == ["paid_search"]     # once
    assert keys_for("channel", ["TikTok", "'; drop"], known) == []                             # unknown: dropped
    assert keys_for("range", ["Month to date"], ["this_month"]) == []                         # labels, not keys

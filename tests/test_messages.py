"""Errors become messages naming the file, row, column and rule; nothing else leaks."""
from __future__ import annotations

import pandas as pd

from lib.ingest.readers import ReadError
from lib.messages import describe_error, source_label, warnings_summary
from lib.schema import FeedError
from lib.sources.errors import SourceError


def test_feed_error_message_names_file_row_column_and_rule():
    failures = pd.DataFrame({"column": ["unit_price", "ordered_at"], "row": pd.array([4, 7], dtype="Int64"),
                             "value": ["abc", "yesterday"], "reason": ["not_numeric", "unparseable_date"]})
    msg = describe_error(FeedError("orders", failures, source="upload:orders_bad.csv"))
    assert msg.title == ("orders_bad.csv was not loaded into orders: 2 problems found. "
                         "The data already loaded is unchanged.")
    assert msg.detail.startswith("First: row 4, column **unit_price**: not a number [not_numeric].")
    assert msg.table.values.tolist() == [
        ["orders_bad.csv", 4, "unit_price", "abc", "not a number", "not_numeric"],
        ["orders_bad.csv", 7, "ordered_at", "yesterday", "not a date/time this app can read", "unparseable_date"]]
    checked = describe_error(FeedError("orders", failures, source="upload:orders_bad.csv"), checking=True)
    assert checked.title == "orders_bad.csv would not load into orders: 2 problems found. Nothing was changed."
    assert checked.table.equals(msg.table)


def test_other_errors():
    assert describe_error(ReadError("x.xlsx", "cannot_parse", "“x.xlsx” is damaged.")).detail == "“x.xlsx” is damaged."
    msg = describe_error(SourceError("sql:orders", "no_such_table", "There is no table orders."))
    assert msg.title == "sql:orders: There is no table orders."
    boom = describe_error(RuntimeError("postgresql://u:hunter2@h/db exploded"))
    assert "hunter2" not in boom.title + boom.detail and "RuntimeError" in boom.detail


def test_source_labels():
    assert source_label("upload:a.csv") == "a.csv"
    assert source_label("sql:orders") == "database query (orders)"
    assert source_label("contract") == "contract"


def test_parameter_errors_are_shown_as_written():
    from lib.funnel import FunnelError
    msg = describe_error(FunnelError("Pick at least one step (event names)."))
    assert msg.title == "These settings cannot be computed."
    assert msg.detail == "Pick at least one step (event names)."
    leaky = describe_error(ValueError("could not connect to postgresql://u:secret@db/x"))
    assert "secret" not in msg.detail + leaky.title + leaky.detail
    assert leaky.title == "Something went wrong and nothing was changed."


def test_warnings_summary_counts_each_reason_in_words():
    import pandas as pd

    from lib.schema import Reason

    w = pd.DataFrame({"reason": [Reason.FUTURE_DATE, Reason.UNKNOWN_EVENT, Reason.FUTURE_DATE], "row": [1, 2, 3]})
    assert warnings_summary(w) == (f"3 warnings (loaded anyway): 2 × {Reason.TEXT[Reason.FUTURE_DATE]}; "
                                   f"1 × {Reason.TEXT[Reason.UNKNOWN_EVENT]}.")
    assert warnings_summary(w.head(1)) == f"1 warning (loaded anyway): 1 × {Reason.TEXT[Reason.FUTURE_DATE]}."
    assert warnings_summary(w.head(0)) == ""

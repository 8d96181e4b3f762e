"""Turn typed errors into messages a store coordinator can act on (no streamlit here).

Every message names the source (file), and for data problems the column, row and rule.
Anything unexpected becomes a generic sentence: never a traceback, never a secret.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.ingest.readers import ReadError
from lib.schema import FeedError, Reason
from lib.sources.errors import SourceError

__all__ = ["UserMessage", "describe_error", "failures_table", "source_label", "warnings_summary"]


def source_label(source: str | None) -> str:
    """'upload:orders.csv' -> 'orders.csv'; 'sql:orders' -> 'database query (orders)'."""
    if not source:
        return ""
    kind, _, rest = source.partition(":")
    return {"upload": rest, "sql": f"database query ({rest})", "sheets": f"Google Sheet {rest}",
            "demo": f"demo store ({rest})"}.get(kind, source) if rest else source


@dataclass(frozen=True)
class UserMessage:
    title: str
    detail: str = ""
    table: pd.DataFrame | None = None    # the failures, one per row, for FeedError


def failures_table(failures: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Failures as a table a person can act on: file, row, column, value, rule, reason code."""
    out = pd.DataFrame({
        "file": source_label(source),
        "row": failures["row"].astype("Int64"),
        "column": failures["column"],
        "value": failures["value"],
        "rule": failures["reason"].map(lambda r: Reason.TEXT.get(r, r)),
        "reason": failures["reason"],
    })
    return out.reset_index(drop=True)


def describe_error(err: BaseException, checking: bool = False) -> UserMessage:
    """A clear message for any error a load or a source can raise (`checking`: it came from a
    validation that was not going to load anything)."""
    if isinstance(err, FeedError):
        n = err.total
        where = source_label(err.source) or err.feed
        counts = ", ".join(f"{k} × {v:,}" for k, v in err.counts.items())
        listed = len(err.failures)
        shown = f" The first {listed:,} are listed." if listed < n else ""
        first = err.failures.iloc[0]
        row = "" if pd.isna(first["row"]) else f"row {int(first['row'])}, "
        detail = (f"First: {row}column **{first['column']}**: {Reason.TEXT.get(first['reason'], first['reason'])}"
                  f" [{first['reason']}]. All problems: {counts}.{shown} Rows are spreadsheet rows (the header is row 1).")
        found = f"{n:,} problem{'s' if n != 1 else ''} found"
        title = (f"{where} would not load into {err.feed}: {found}. Nothing was changed." if checking else
                 f"{where} was not loaded into {err.feed}: {found}. The data already loaded is unchanged.")
        return UserMessage(title, detail, failures_table(err.failures, err.source))
    if isinstance(err, ReadError):
        return UserMessage(f"{err.filename} could not be read. The data already loaded is unchanged.", err.message)
    if isinstance(err, SourceError):
        return UserMessage(f"{err.source}: {err.message}", "The data already loaded is unchanged.")
    if isinstance(err, ValueError) and _plain(str(err)):
        # lib's parameter checks (funnel, cohorts, explore...) raise ValueError with a sentence
        # written for the user: an unknown option, an empty date range, too many steps
        return UserMessage("These settings cannot be computed.", str(err))
    return UserMessage("Something went wrong and nothing was changed.",
                       f"{type(err).__name__}. The details are in the server log.")


def _plain(text: str) -> bool:
    """A short, single-line sentence with nothing that looks like a URL or a path."""
    return 0 < len(text) <= 300 and "\n" not in text and "://" not in text and "/" not in text.replace(" / ", "")


def warnings_summary(warnings: pd.DataFrame) -> str:
    """'3 warnings (loaded anyway): 2 × <reason>; 1 × <reason>.' over a load report's warnings [reason, ...],
    reasons in words (Reason.TEXT) in the order they first appear; '' when there is none."""
    if not len(warnings):
        return ""
    # a big file's warnings list their first rows only; attrs["counts"] then counts them all
    counts = pd.Series(warnings.attrs.get("counts") or warnings["reason"].value_counts(sort=False).to_dict())
    n = int(counts.sum())
    return (f"{n:,} warning{'' if n == 1 else 's'} (loaded anyway): "
            + "; ".join(f"{k:,} × {Reason.TEXT.get(r, r)}" for r, k in counts.items()) + ".")

"""Tables of the Pricing & promos page with analysis-ready downloads.

A table is described once, by its st.column_config (the column labels and number formats on screen);
its CSV and XLSX files then carry the same columns under the same labels, as numbers (no display
strings, no float noise: lib.exports), with the XLSX number formats read off the screen's formats
(money in the store currency, percentages, whole counts, decimals: lib.exports.Formats).

    labels(config)                  column -> label on screen
    number_formats(config, currency) lib.exports.Formats for the XLSX file
    for_export(df, config)          the table as the files hold it: the shown columns, renamed
    table(df, stem, key=, config=, currency=, ...)   downloads.table with all of the above
    stem(*parts)                    a file name from the filters (scenario name, scope, dates)
    signed(x)                       a whole number with its sign on screen: +1,234 / −56 / 0
"""
from __future__ import annotations

import pandas as pd

from lib import fmt
from lib.exports import Formats
from lib.ui.widgets import downloads

__all__ = ["labels", "number_formats", "for_export", "table", "stem", "signed", "MONEY_PRESETS"]

MONEY_PRESETS = ("dollar", "euro", "yen", "accounting")
_COUNT = ("%d", "%.0f", "%+.0f", "%+d", "%,d")
_DECIMAL = ("%.1f", "%.2f", "%+.1f", "%+.2f", "%.3f")


def _label(col: str, cfg) -> str:
    if isinstance(cfg, str):
        return cfg
    if isinstance(cfg, dict) and cfg.get("label"):
        return str(cfg["label"])
    return col


def labels(config: dict) -> dict[str, str]:
    """column -> its label on screen (a plain string config is the label itself)."""
    return {col: _label(col, cfg) for col, cfg in config.items()}


def number_formats(config: dict, currency: str) -> Formats:
    """XLSX number formats for the exported (relabelled) columns, from each NumberColumn's format:
    currency presets (or a label naming the currency) -> money, percent -> pct, whole-number formats ->
    count, decimals -> decimal."""
    kinds: dict[str, list[str]] = {"money": [], "pct": [], "count": [], "decimal": []}
    for col, cfg in config.items():
        tc = cfg.get("type_config") if isinstance(cfg, dict) else None
        if not tc or tc.get("type") != "number":
            continue
        label, f = _label(col, cfg), tc.get("format")
        if f in MONEY_PRESETS or label.endswith(f"({currency})"):
            kinds["money"].append(label)
        elif f == "percent":
            kinds["pct"].append(label)
        elif f in _COUNT:
            kinds["count"].append(label)
        elif f in _DECIMAL:
            kinds["decimal"].append(label)
    return Formats(money=tuple(kinds["money"]), pct=tuple(kinds["pct"]), count=tuple(kinds["count"]),
                   decimal=tuple(kinds["decimal"]), currency=currency)


def for_export(df: pd.DataFrame, config: dict) -> pd.DataFrame:
    """The columns of ``config`` that ``df`` has, in that order, under their screen labels."""
    cols = [c for c in config if c in df.columns]
    return df[cols].rename(columns=labels({c: config[c] for c in cols}))


def table(df: pd.DataFrame, name: str, *, key: str, config: dict, currency: str, export=None,
          formats=tuple(downloads.TABLE_FORMATS), **dataframe_kwargs):
    """downloads.table showing the columns of ``config`` (in its order, unless ``column_order`` is given),
    whose files hold ``export`` (default: the shown table) relabelled as on screen, with XLSX number
    formats read off ``config``."""
    source = df if export is None else export

    def files() -> pd.DataFrame:
        return for_export(source() if callable(source) else source, config)
    dataframe_kwargs.setdefault("column_order", [c for c in config if c in df.columns])   # only described columns
    return downloads.table(df, name, key=key, formats=formats, export=files,
                           number_formats=number_formats(config, currency), column_config=config,
                           **dataframe_kwargs)


def stem(*parts) -> str:
    """A file name stem from its parts (filters, dates), each made file-name safe, empty parts dropped:
    stem("scenario", "Kitchen -15%", "Kitchen · every channel", "2026-12-06") ->
    "scenario-kitchen-15-kitchen-every-channel-2026-12-06"."""
    return "-".join(downloads.slug(p) for p in parts if p is not None and str(p).strip())


signed = fmt.signed

"""Long-format history <-> a regular panel (series x periods) that the model kernels work on.

The public forecasting API takes ``history`` = DataFrame[unique_id, ds, y, <extra columns>]:

- ``y`` is demand per period. ``NaN`` means "not observed" (censored or unknown). A period
  with no row inside a series' own first..last range is zero demand; periods before a
  series' first row or after its last row are unknown (a product not yet launched, or ended).
- ``in_stock`` (optional, bool or 0/1): a period with ``in_stock`` false is a stockout, so
  its ``y`` is censored demand (set to ``NaN``), never zero demand.
- other numeric columns are exogenous regressors (price, promo...); their horizon values
  come from ``future`` = DataFrame[unique_id, ds, <same columns>]. A value missing there is
  carried forward from the series' last known value (so a price stays where it was).
- other text columns are static groups of the series (e.g. category), taken from its first
  row: the global model uses them, and forecasts can be summed up to them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

__all__ = ["Panel", "season_length", "offset_for", "from_long"]

_SEASON = {"D": 7, "B": 5, "W": 52, "M": 12, "MS": 12, "ME": 12, "BM": 12, "BMS": 12, "BME": 12,
           "SM": 24, "SMS": 24, "SME": 24, "Q": 4, "QS": 4, "QE": 4, "BQ": 4, "BQS": 4, "BQE": 4,
           "Y": 1, "YS": 1, "YE": 1, "A": 1, "AS": 1, "BY": 1, "BYS": 1, "BYE": 1, "H": 24, "h": 24}
# calendar frequencies whose periods are whole months: the grid follows the data's own anchor
_MONTHS = {**dict.fromkeys(("M", "MS", "ME", "BM", "BMS", "BME"), 1),
           **dict.fromkeys(("Q", "QS", "QE", "BQ", "BQS", "BQE"), 3),
           **dict.fromkeys(("Y", "YS", "YE", "A", "AS", "BY", "BYS", "BYE"), 12)}
RESERVED = ("unique_id", "ds", "y", "in_stock")
MAX_VALUE = 1e15        # squared errors of larger values lose the precision the models need


def _base(freq: str) -> str:
    return str(freq).strip().lstrip("0123456789").split("-")[0]


def season_length(freq: str) -> int:
    """Seasonal period for a pandas frequency: 7 for daily (weekly cycle), 52 weekly, 12 monthly..."""
    base = _base(freq)
    if base not in _SEASON:
        raise ValueError(f"Unsupported frequency {freq!r}: use D (daily), W (weekly, any weekday), "
                         "MS or M (monthly), QS or Q (quarterly), YS or Y (yearly).")
    return _SEASON[base]


def offset_for(freq: str, stamps: pd.DatetimeIndex) -> pd.DateOffset:
    """A date offset for ``freq`` that the history's own dates sit on.

    "W" (any anchor) means weekly on the data's own weekday; the month, quarter and year families
    (M/MS/ME, Q/QS/QE, Y/YS/YE, A...) mean 1, 3 or 12 months, on the first or last day of the month
    as the data has it (any starting month: a fiscal quarter or year is the data's own).
    """
    base = _base(freq)
    season_length(freq)
    if base in _MONTHS:
        months = _MONTHS[base]
        if len(stamps) and bool(stamps.is_month_start.all()):
            return pd.offsets.MonthBegin(months)
        if len(stamps) and bool(stamps.is_month_end.all()):
            return pd.offsets.MonthEnd(months)
        return pd.DateOffset(months=months)
    if base == "W":
        return pd.DateOffset(weeks=1)
    return to_offset(freq)


@dataclass
class Panel:
    """Series as rows, regular periods as columns; see the module docstring for the rules."""

    ids: np.ndarray                      # (n,) unique_id values
    dates: pd.DatetimeIndex              # (T,) history periods
    future_dates: pd.DatetimeIndex       # (h,) horizon periods
    y: np.ndarray                        # (n, T) float, NaN = not observed
    freq: str
    m: int
    exog: dict[str, np.ndarray] = field(default_factory=dict)   # name -> (n, T + h), complete
    groups: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (n,) labels
    censored: np.ndarray | None = None   # (n, T) bool: stockout periods

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def T(self) -> int:
        return len(self.dates)

    def group_codes(self) -> dict[str, np.ndarray]:
        """Static groups as integer codes (for the global model)."""
        return {k: pd.factorize(v)[0].astype(np.int64) for k, v in self.groups.items()}


def _fill_rows(values: np.ndarray) -> np.ndarray:
    """Forward- then backward-fill each row along time (a regressor stays at its last value)."""
    df = pd.DataFrame(values.T)
    return df.ffill().bfill().to_numpy(dtype=float).T


def from_long(history: pd.DataFrame, h: int, freq: str, future: pd.DataFrame | None = None) -> Panel:
    """Build the panel; raises ValueError with a plain sentence for a malformed history."""
    if not isinstance(h, int | np.integer) or h < 1:
        raise ValueError(f"The horizon must be a whole number of periods of at least 1 (got {h!r}).")
    missing = [c for c in ("unique_id", "ds", "y") if c not in history.columns]
    if missing:
        raise ValueError(f"The history needs the columns unique_id, ds and y; missing: {', '.join(missing)}.")
    if history.empty:
        raise ValueError("The history is empty: there is nothing to forecast.")
    m = season_length(freq)
    ds = pd.DatetimeIndex(pd.to_datetime(history["ds"]))
    if ds.tz is not None:
        ds = ds.tz_localize(None)
    if ds.isna().any():
        raise ValueError(f"The history has a missing date in ds at row {int(np.flatnonzero(ds.isna())[0])}.")
    y_in = pd.to_numeric(history["y"], errors="coerce").to_numpy(dtype=float)
    ids, sid = np.unique(history["unique_id"].astype(str).to_numpy(), return_inverse=True)
    wild = np.flatnonzero(np.isinf(y_in) | (np.abs(np.nan_to_num(y_in)) > MAX_VALUE))
    if len(wild):
        r = int(wild[0])
        raise ValueError(f"Series {ids[sid[r]]!r} has the value {y_in[r]:g} on {ds[r].date()} (row {r}): values "
                         f"must be finite and at most {MAX_VALUE:.0e} in size; rescale the series (e.g. to "
                         "thousands) or remove the row.")
    off = offset_for(freq, pd.DatetimeIndex(ds.unique()))
    grid = pd.date_range(ds.min(), ds.max(), freq=off)
    pos = grid.get_indexer(ds)
    if (pos < 0).any():
        bad = int(np.flatnonzero(pos < 0)[0])
        raise ValueError(f"The date {ds[bad].date()} (row {bad}) is not on a regular {freq} grid "
                         f"starting {grid[0].date()}: resample the history to {freq} first.")
    key = sid * len(grid) + pos
    if len(np.unique(key)) != len(key):
        dup = pd.Series(key).duplicated().to_numpy().nonzero()[0][0]
        raise ValueError(f"Series {ids[sid[dup]]!r} has two rows for {ds[dup].date()} (row {int(dup)}): "
                         "give one row per series and period.")
    n, T = len(ids), len(grid)
    first = np.full(n, T, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    np.minimum.at(first, sid, pos)
    np.maximum.at(last, sid, pos)
    cols = np.arange(T)[None, :]
    inside = (cols >= first[:, None]) & (cols <= last[:, None])
    y = np.where(inside, 0.0, np.nan)
    y[sid, pos] = y_in
    censored = np.zeros((n, T), dtype=bool)
    if "in_stock" in history.columns:
        out = ~history["in_stock"].fillna(True).astype(bool).to_numpy()
        censored[sid[out], pos[out]] = True
        y[censored] = np.nan
    fut = pd.date_range(grid[-1], periods=h + 1, freq=off)[1:]
    panel = Panel(ids=ids, dates=grid, future_dates=fut, y=y, freq=freq, m=m, censored=censored)
    extra = [c for c in history.columns if c not in RESERVED]
    fpos = fsid = None
    if future is not None and len(future):
        if not {"unique_id", "ds"} <= set(future.columns):
            raise ValueError("The future frame needs the columns unique_id and ds.")
        fds = pd.DatetimeIndex(pd.to_datetime(future["ds"]))
        fpos = fut.get_indexer(fds.tz_localize(None) if fds.tz is not None else fds)
        fsid = pd.Index(ids).get_indexer(future["unique_id"].astype(str))
    for col in extra:
        s = history[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            full = np.full((n, T + h), np.nan)
            full[sid, pos] = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
            if fpos is not None and col in future.columns:
                ok = (fpos >= 0) & (fsid >= 0)
                full[fsid[ok], T + fpos[ok]] = pd.to_numeric(future[col], errors="coerce").to_numpy(float)[ok]
            panel.exog[col] = np.nan_to_num(_fill_rows(full), nan=0.0)
        else:
            firsts = pd.Series(s.to_numpy()).groupby(sid).first()
            labels = np.full(n, None, dtype=object)
            labels[firsts.index.to_numpy()] = firsts.to_numpy()
            panel.groups[col] = labels
    return panel

"""Calendar effects: trend, weekly and yearly seasonality, holiday peaks, daily shocks."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from . import config


def window(as_of: date, days: int = config.DAYS) -> np.ndarray:
    """Return the ``days`` dates (datetime64[D]) ending at ``as_of`` inclusive."""
    end = np.datetime64(as_of, "D")
    return end - np.arange(days - 1, -1, -1)


def thanksgiving(year: int) -> date:
    """US Thanksgiving: the fourth Thursday of November."""
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def holiday_table(dates: np.ndarray) -> dict[str, float]:
    """Map ISO dates inside the window to their planted holiday multiplier."""
    years = range(int(str(dates[0])[:4]) - 1, int(str(dates[-1])[:4]) + 1)
    out: dict[str, float] = {}
    for y in years:
        for d in range(1, 32):
            if d <= 18:
                m = config.DECEMBER["1-18"]
            elif d <= 22:
                m = config.DECEMBER["19-22"]
            else:
                m = config.DECEMBER.get(str(d), 1.0)
            if m != 1.0:
                out[date(y, 12, d).isoformat()] = m
        out[date(y + 1, 1, 1).isoformat()] = config.NEW_YEAR
        tg = thanksgiving(y)
        for off, m in config.THANKSGIVING_OFFSETS.items():
            out[(tg + timedelta(days=off)).isoformat()] = m
    lo, hi = str(dates[0]), str(dates[-1])
    return {k: v for k, v in sorted(out.items()) if lo <= k <= hi}


def black_fridays(dates: np.ndarray) -> list[int]:
    """Day indices of Black Fridays inside the window."""
    years = range(int(str(dates[0])[:4]), int(str(dates[-1])[:4]) + 1)
    start = dates[0]
    out = []
    for y in years:
        bf = np.datetime64(thanksgiving(y) + timedelta(days=1), "D")
        i = int((bf - start).astype(int))
        if 0 <= i < len(dates):
            out.append(i)
    return out


def build(rng: np.random.Generator, dates: np.ndarray, holidays: bool = True) -> tuple[np.ndarray, dict]:
    """Seasonality matrix (days x categories) and its truth record.

    season[d, c] = trend * weekly * yearly_c * (1 + h_c * (holiday - 1)) * shock

    ``holidays=False`` plants no retail holiday (Thanksgiving week, Black Friday to Cyber Monday,
    December, New Year): every holiday multiplier is 1.0, so season = trend * weekly * yearly_c *
    shock; the daily shocks are the same draws as with holidays, and the truth record says
    ``"holidays_planted": false`` with an empty ``holidays`` table.
    """
    n = len(dates)
    cats = config.CATEGORIES
    t_years = (np.arange(n) - (n - 1) / 2) / 365.25
    trend = np.exp(config.TREND_PER_YEAR * t_years)
    dow = ((dates.astype("datetime64[D]").astype(np.int64) + 3) % 7).astype(int)  # Monday = 0
    weekly = np.asarray(config.WEEKLY)[dow]
    doy = (dates - dates.astype("datetime64[Y]")).astype(int) + 1
    hol_map = holiday_table(dates) if holidays else {}
    iso = np.datetime_as_string(dates)
    holiday = np.array([hol_map.get(s, 1.0) for s in iso])
    shock = np.exp(rng.normal(0.0, config.DAILY_SHOCK_SIGMA, n) - config.DAILY_SHOCK_SIGMA**2 / 2)
    amp = np.array([c[6] for c in cats])
    peak = np.array([c[7] for c in cats])
    sens = np.array([c[8] for c in cats])
    yearly = 1 + amp[None, :] * np.cos(2 * np.pi * (doy[:, None] - peak[None, :]) / 365.25)
    hol = 1 + sens[None, :] * (holiday[:, None] - 1)
    season = (trend * weekly * shock)[:, None] * yearly * hol
    truth = {
        "formula": "season[d,c] = trend[d] * weekly[dow] * (1 + amplitude_c * cos(2*pi*(doy - peak_c)/365.25))"
                   " * (1 + holiday_sensitivity_c * (holiday[d] - 1)) * daily_shock[d]",
        "trend_log_growth_per_year": config.TREND_PER_YEAR,
        "trend_centre_date": str(dates[n // 2]),
        "weekly_monday_to_sunday": list(config.WEEKLY),
        "yearly": {c[1]: {"amplitude": c[6], "peak_day_of_year": c[7]} for c in cats},
        "holiday_sensitivity": {c[1]: c[8] for c in cats},
        "holidays": hol_map,
        **({} if holidays else {"holidays_planted": False}),  # only when off: the default record is unchanged
        "daily_shock_sigma": config.DAILY_SHOCK_SIGMA,
        "daily_shock": [round(float(x), 6) for x in shock],
    }
    return season, truth

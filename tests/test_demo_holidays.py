"""The demo store with the retail holidays turned off (lib.demo holidays=False, --no-holidays)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.demo import config, generate, season

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 26)
SEED = 101
BLACK_FRIDAY_2025 = "2025-11-28"  # Thanksgiving 2025 is Thursday 27 November
AROUND_BF = np.arange(np.datetime64("2025-11-20"), np.datetime64("2026-01-03"))  # Thanksgiving week .. New Year


def _build(holidays: bool):
    dates = season.window(AS_OF)
    return (dates, *season.build(np.random.default_rng(SEED), dates, holidays=holidays))


def _planted_without_holidays(dates: np.ndarray, t: dict, shock: np.ndarray) -> np.ndarray:
    """trend * weekly * yearly * shock from the truth record's parameters (days x categories)."""
    n = len(dates)
    centre = np.datetime64(t["trend_centre_date"])
    assert centre == dates[n // 2]
    trend = np.exp(t["trend_log_growth_per_year"] * ((np.arange(n) - (n - 1) / 2) / 365.25))
    monday0 = np.array([pd.Timestamp(d).weekday() for d in dates])
    weekly = np.asarray(t["weekly_monday_to_sunday"])[monday0]
    doy = np.array([pd.Timestamp(d).day_of_year for d in dates])
    names = [c[1] for c in config.CATEGORIES]
    amp = np.array([t["yearly"][c]["amplitude"] for c in names])
    peak = np.array([t["yearly"][c]["peak_day_of_year"] for c in names])
    yearly = 1 + amp[None, :] * np.cos(2 * np.pi * (doy[:, None] - peak[None, :]) / 365.25)
    return (trend * weekly * shock)[:, None] * yearly


def test_no_holidays_plants_no_holiday_multiplier_and_the_season_is_trend_weekly_yearly_shock():
    dates, seas, t = _build(holidays=False)
    assert t["holidays"] == {} and t["holidays_planted"] is False
    # the daily shock is the season generator's only draw: the same seed gives it back exactly
    sigma = t["daily_shock_sigma"]
    shock = np.exp(np.random.default_rng(SEED).normal(0.0, sigma, len(dates)) - sigma**2 / 2)
    assert np.round(shock, 6).tolist() == t["daily_shock"]
    expected = _planted_without_holidays(dates, t, shock)
    days = np.isin(dates, AROUND_BF)
    assert days.sum() == 44
    np.testing.assert_array_equal(seas[days], expected[days])   # exact: no holiday factor anywhere
    np.testing.assert_array_equal(seas, expected)


def test_with_holidays_the_season_is_unchanged_and_the_peaks_are_the_planted_multipliers():
    dates, on, t_on = _build(holidays=True)
    _, off, t_off = _build(holidays=False)
    d0, t_default = season.build(np.random.default_rng(SEED), dates)
    np.testing.assert_array_equal(d0, on)
    assert t_default == t_on and "holidays_planted" not in t_on
    assert t_on["holidays"][BLACK_FRIDAY_2025] == 2.10 and t_on["holidays"]["2025-12-25"] == 0.50
    assert t_on["holidays"]["2026-01-01"] == 0.75 and t_on["holidays"]["2026-11-26"] == 1.25  # Thanksgiving 2026
    assert {k: v for k, v in t_on.items() if k != "holidays"} == \
        {k: v for k, v in t_off.items() if k not in ("holidays", "holidays_planted")}
    i = int(np.nonzero(dates == np.datetime64(BLACK_FRIDAY_2025))[0][0])
    kit, pet = 0, 7  # Kitchen (holiday sensitivity 1.3), Pet Supplies (0.6)
    assert on[i, kit] == off[i, kit] * (1 + 1.3 * (2.10 - 1))
    assert on[i, pet] == off[i, pet] * (1 + 0.6 * (2.10 - 1))
    plain = ~np.isin(np.datetime_as_string(dates), list(t_on["holidays"]))
    assert plain.sum() == 730 - len(t_on["holidays"])
    np.testing.assert_array_equal(on[plain], off[plain])   # no holiday: both stores plant the same season


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    base = tmp_path_factory.mktemp("holidays")
    generate(base / "on", seed=SEED, scale=0.05, as_of=AS_OF)
    s = generate(base / "off", seed=SEED, scale=0.05, as_of=AS_OF, holidays=False)
    return base, s


def test_generate_without_holidays_keeps_catalog_and_promotions_and_says_so(pair):
    base, summary = pair
    assert summary["holidays"] is False
    on = json.loads((base / "on" / "truth.json").read_text())
    off = json.loads((base / "off" / "truth.json").read_text())
    assert "holidays_planted" not in on["seasonality"] and len(on["seasonality"]["holidays"]) > 40
    assert off["seasonality"]["holidays_planted"] is False and off["seasonality"]["holidays"] == {}
    for feed in ("products", "promotions"):
        assert (base / "on" / f"{feed}.parquet").read_bytes() == (base / "off" / f"{feed}.parquet").read_bytes()
    promos = pd.read_parquet(base / "off" / "promotions.parquet")
    sale = promos[(promos["start_date"] == date(2025, 11, 28)) & (promos["end_date"] == date(2025, 12, 1))
                  & promos["channel"].isna()]
    assert sorted(sale["category"]) == sorted(c[1] for c in config.CATEGORIES)  # Black Friday's sale stays
    assert (base / "on" / "orders.parquet").read_bytes() != (base / "off" / "orders.parquet").read_bytes()
    with pytest.raises(TypeError, match="holidays must be True or False"):
        generate(base / "x", seed=SEED, scale=0.05, as_of=AS_OF, holidays="no")


def test_no_holidays_cli_flag_and_demo_directory_name(tmp_path):
    from lib.ingest import demo_dir

    assert demo_dir(tmp_path, 7, 1.0, AS_OF).name == "demo-seed7-scale1-2026-11-26"  # unchanged
    assert demo_dir(tmp_path, 101, 6.6667, AS_OF, 0.001, holidays=False).name == \
        "demo-seed101-scale6.6667-traffic0.001-noholidays-2026-11-26"
    res = subprocess.run([sys.executable, "-m", "lib.demo", "--seed", "7", "--scale", "0.05", "--out",
                          str(tmp_path / "cli"), "--as-of", AS_OF.isoformat(), "--no-holidays", "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(res.stdout)["holidays"] is False
    assert json.loads((tmp_path / "cli" / "truth.json").read_text())["seasonality"]["holidays_planted"] is False

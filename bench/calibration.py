"""The tables the calibration benchmarks print (bench/pricing_calibration.py, bench/promo_calibration.py).

    coverage_table(r, by, what="n", width_digits=3)   per group of ``by``: how many, coverage of the 95% and
                                                     80% intervals (%), median |error|, median 95% width
    markdown(df)                                     a pipe table (no tabulate in the venv)
r has one row per interval: cov95, cov80 (bool), err, width.
"""
from __future__ import annotations

import pandas as pd

__all__ = ["coverage_table", "markdown"]


def coverage_table(r: pd.DataFrame, by: list[str], what: str = "n", width_digits: int = 3) -> pd.DataFrame:
    g = r.groupby(by, sort=True)
    return pd.DataFrame({what: g.size(), "cover 95%": g["cov95"].mean().mul(100).round(1),
                         "cover 80%": g["cov80"].mean().mul(100).round(1),
                         "median |error|": g["err"].median().round(3),
                         "median width 95%": g["width"].median().round(width_digits)}).reset_index()


def markdown(df: pd.DataFrame) -> str:
    """A pipe table (no tabulate in the venv)."""
    cells = [[str(c) for c in df.columns]] + [[str(v) for v in row] for row in df.itertuples(index=False)]
    lines = ["| " + " | ".join(r) + " |" for r in cells]
    return "\n".join([lines[0], "|" + "---|" * len(df.columns), *lines[1:]])

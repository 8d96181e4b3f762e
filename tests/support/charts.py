"""Reading Altair charts in tests: the data frames a (layered) chart draws."""
from __future__ import annotations

import pandas as pd

__all__ = ["datasets"]


def datasets(chart) -> list[pd.DataFrame]:
    """The data frames embedded in a chart spec, in order of appearance."""
    return [pd.DataFrame(rows) for rows in chart.to_dict()["datasets"].values()]

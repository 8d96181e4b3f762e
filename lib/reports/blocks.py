"""The pieces a report is made of (pure data: no Streamlit, no HTML).

A report is a list of blocks, built from the same lib functions and chart builders as the pages
(lib/reports/<page>.py), and rendered to one self-contained HTML file by lib/reports/html.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Heading", "Text", "Caption", "Tile", "Tiles", "Chart", "Table", "Alert", "Settings", "Block"]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 3


@dataclass(frozen=True)
class Text:
    """Markdown (headings, bold, italics, bullets, paragraphs)."""
    markdown: str


@dataclass(frozen=True)
class Caption:
    text: str


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: str = ""


@dataclass(frozen=True)
class Tiles:
    tiles: tuple[Tile, ...]


@dataclass(frozen=True)
class Chart:
    """An Altair chart, exported as inline SVG."""
    chart: object
    title: str = ""


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame = field(repr=False)
    title: str = ""


@dataclass(frozen=True)
class Alert:
    text: str
    kind: str = "info"          # info | warning | error | success


@dataclass(frozen=True)
class Settings:
    """The view's settings as a person reads them: (label, value) pairs."""
    items: tuple[tuple[str, str], ...]


Block = Heading | Text | Caption | Tiles | Chart | Table | Alert | Settings

"""Notebooks: an ordered list of cells, each a markdown note or a live view (a page with its
settings), pinned to a data version, stored in the warehouse (table shopcast_notebooks; writes through
lib.warehouse.userrows, the same on DuckDB, PostgreSQL and ClickHouse).

    create_notebook(wh, name, data_version, now=None) -> notebook_id
    list_notebooks(wh) -> DataFrame          get_notebook(wh, notebook_id) -> Notebook
    save_notebook(wh, notebook, now=None)    delete_notebook(wh, notebook_id) -> bool
    Notebook.add_markdown / add_view / edit / move / remove / repin   (pure, return a new Notebook)

A view cell holds the page (URL path), its settings (URL parameters, validated like a saved view's)
and a title; every view cell shows the notebook's data version, so the notebook reads as it did when
it was written until someone moves it to the latest data (repin).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import delete, select, update

from lib.sharing.views import ViewError, check_fields, short_id
from lib.warehouse import userrows
from lib.warehouse.tables import notebooks as table

__all__ = ["Cell", "Notebook", "create_notebook", "list_notebooks", "get_notebook", "save_notebook",
           "delete_notebook", "MAX_CELLS", "TEXT_MAX"]

MAX_CELLS, TEXT_MAX = 40, 5000
_KINDS = ("markdown", "view")


@dataclass(frozen=True)
class Cell:
    kind: str
    text: str = ""                               # markdown, or a view's title
    page: str = ""
    params: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise ViewError(f"A cell is a markdown note or a view, not {self.kind!r}.")
        if len(self.text) > TEXT_MAX:
            raise ViewError(f"A cell holds at most {TEXT_MAX} characters (got {len(self.text)}).")
        if self.kind == "view":
            _, _, pairs = check_fields("cell", "", self.params)
            object.__setattr__(self, "params", tuple((k, v) for k, v in pairs))


@dataclass(frozen=True)
class Notebook:
    notebook_id: str
    name: str
    data_version: str
    cells: tuple[Cell, ...] = field(default_factory=tuple)

    def _with(self, cells) -> Notebook:
        cells = tuple(cells)
        if len(cells) > MAX_CELLS:
            raise ViewError(f"A notebook holds at most {MAX_CELLS} cells.")
        return replace(self, cells=cells)

    def add_markdown(self, text: str, at: int | None = None) -> Notebook:
        return self._insert(Cell("markdown", text), at)

    def add_view(self, page: str, params, title: str = "", at: int | None = None) -> Notebook:
        return self._insert(Cell("view", title, page, tuple(tuple(p) for p in params)), at)

    def _insert(self, cell: Cell, at: int | None) -> Notebook:
        cells = list(self.cells)
        cells.insert(len(cells) if at is None else max(0, min(at, len(cells))), cell)
        return self._with(cells)

    def edit(self, i: int, text: str) -> Notebook:
        cells = list(self.cells)
        cells[self._index(i)] = replace(cells[i], text=text)
        return self._with(cells)

    def move(self, i: int, step: int) -> Notebook:
        """Move cell i by step places (-1 up, +1 down); at an end it stays."""
        cells = list(self.cells)
        j = max(0, min(self._index(i) + step, len(cells) - 1))
        cells.insert(j, cells.pop(i))
        return self._with(cells)

    def remove(self, i: int) -> Notebook:
        cells = list(self.cells)
        cells.pop(self._index(i))
        return self._with(cells)

    def rename(self, name: str) -> Notebook:
        return replace(self, name=check_fields(name, "", [])[0])

    def repin(self, data_version: str) -> Notebook:
        return replace(self, data_version=str(data_version))

    def _index(self, i: int) -> int:
        if not 0 <= i < len(self.cells):
            raise ViewError(f"There is no cell {i + 1}.")
        return i

    def cells_json(self) -> str:
        return json.dumps([{"kind": c.kind, "text": c.text, "page": c.page, "params": [list(p) for p in c.params]}
                           for c in self.cells])


def _parse(r) -> Notebook:
    try:
        raw = json.loads(r.cells_json)
        cells = tuple(Cell(d["kind"], d.get("text", ""), d.get("page", ""), tuple(tuple(p) for p in d.get("params", [])))
                      for d in raw)
    except (ValueError, KeyError, TypeError) as err:
        raise ViewError(f"The notebook {r.name!r} cannot be read: {err}") from None
    return Notebook(r.notebook_id, r.name, r.data_version, cells)


def _stamp(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(tzinfo=None)


def create_notebook(wh, name: str, data_version: str, now: datetime | None = None) -> str:
    name = check_fields(name, "", [])[0]
    stamp = _stamp(now)
    for attempt in range(5):
        nb_id = short_id("notebook", name, stamp.isoformat(), attempt)
        if userrows.insert_new(wh, table, {"notebook_id": nb_id, "name": name, "cells_json": "[]",
                                           "data_version": str(data_version), "created_at": stamp, "updated_at": stamp}):
            return nb_id
    raise ViewError("Could not find a free id for the notebook; try again.")


def list_notebooks(wh) -> pd.DataFrame:
    with wh.engine.connect() as conn:
        rows = conn.execute(select(table)).fetchall()
    out = [{"notebook_id": r.notebook_id, "name": r.name, "cells": len(json.loads(r.cells_json or "[]")),
            "data_version": r.data_version, "updated_at": r.updated_at} for r in rows]
    df = pd.DataFrame(out, columns=["notebook_id", "name", "cells", "data_version", "updated_at"])
    return df.sort_values(["updated_at", "name"], ascending=[False, True], ignore_index=True)


def get_notebook(wh, notebook_id: str) -> Notebook:
    with wh.engine.connect() as conn:
        r = conn.execute(select(table).where(table.c.notebook_id == str(notebook_id))).first()
    if r is None:
        raise LookupError(f"No notebook has the id {notebook_id!r} (it may have been deleted).")
    return _parse(r)


def save_notebook(wh, nb: Notebook, now: datetime | None = None) -> None:
    with userrows.writing(wh) as conn:
        n = userrows.changed(conn, update(table).where(table.c.notebook_id == nb.notebook_id).values(
            name=nb.name, cells_json=nb.cells_json(), data_version=nb.data_version, updated_at=_stamp(now)))
    if n == 0:
        raise LookupError(f"No notebook has the id {nb.notebook_id!r} (it may have been deleted).")


def delete_notebook(wh, notebook_id: str) -> bool:
    with userrows.writing(wh) as conn:
        return userrows.changed(conn, delete(table).where(table.c.notebook_id == notebook_id)) > 0

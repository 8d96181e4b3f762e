"""Saved scenarios, by name, in the warehouse (DuckDB or PostgreSQL): table shopcast_scenarios.

    save_scenario(wh, scenario, *, now=None, overwrite=True)   list_scenarios(wh) -> DataFrame
    load_scenario(wh, name) -> Scenario                         delete_scenario(wh, name) -> bool
    rename_scenario(wh, old, new, *, now=None)

Each save is one INSERT ... ON CONFLICT (name) DO UPDATE (PostgreSQL syntax, which DuckDB shares): two
sessions saving the same name at once both succeed and the later one wins. A stored
spec that no longer validates (edited by hand) raises ScenarioError when opened, naming the scenario.
"""
from __future__ import annotations

import contextlib
import threading
import time
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, IntegrityError

from lib.pricing.scenario import Scenario, ScenarioError
from lib.warehouse.tables import scenarios as table

_WRITES = threading.Lock()

__all__ = ["save_scenario", "list_scenarios", "load_scenario", "delete_scenario", "rename_scenario"]


def _stamp(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(tzinfo=None)


def save_scenario(wh, scenario: Scenario, *, now: datetime | None = None, overwrite: bool = True) -> None:
    """Store ``scenario`` under its name; with overwrite=False an existing name raises ScenarioError.

    One statement (INSERT ... ON CONFLICT on the name), so sessions saving the same name at once never
    fail: the last one wins. A write-write conflict reported by the database is retried.
    """
    if not isinstance(scenario, Scenario):
        raise ScenarioError("Only a validated Scenario can be saved.")
    row = {"name": scenario.name, "spec_json": scenario.to_json(), "saved_at": _stamp(now)}
    stmt = pg_insert(table).values(**row)
    if overwrite:
        stmt = stmt.on_conflict_do_update(index_elements=[table.c.name],
                                          set_={"spec_json": row["spec_json"], "saved_at": row["saved_at"]})
    for attempt in range(1, 11):
        try:
            # DuckDB: one process owns the file, so its sessions' writes queue on a lock instead of
            # failing on each other's optimistic transactions; PostgreSQL handles its own
            with _WRITES if wh.dialect == "duckdb" else contextlib.nullcontext(), wh.engine.begin() as conn:
                conn.execute(stmt)
            return
        except DBAPIError as err:              # IntegrityError included
            msg = str(err).lower()
            duplicate = isinstance(err, IntegrityError) or "duplicate key" in msg
            if duplicate and not overwrite:
                raise ScenarioError(f"A scenario named {scenario.name!r} already exists: pick another name.") from None
            # a concurrent save of the same name committed first (DuckDB reports it at commit): try again
            if attempt == 10 or not (duplicate or "conflict" in msg):
                raise
            time.sleep(0.01 * attempt)


def list_scenarios(wh) -> pd.DataFrame:
    """[name, saved_at, start, end, price_change_pct, promotions, scope], newest first."""
    with wh.engine.connect() as conn:
        rows = conn.execute(select(table.c.name, table.c.spec_json, table.c.saved_at)).fetchall()
    out = []
    for name, spec, saved in rows:
        try:
            sc = Scenario.from_json(spec)
            out.append({"name": name, "saved_at": saved, "start": sc.start, "end": sc.end,
                        "price_change_pct": sc.price_change_pct, "promotions": len(sc.promotions),
                        "scope": _scope_text(sc), "valid": True})
        except ScenarioError:
            out.append({"name": name, "saved_at": saved, "start": None, "end": None, "price_change_pct": None,
                        "promotions": None, "scope": "(cannot be read)", "valid": False})
    cols = ["name", "saved_at", "start", "end", "price_change_pct", "promotions", "scope", "valid"]
    df = pd.DataFrame(out, columns=cols)
    return df.sort_values(["saved_at", "name"], ascending=[False, True], ignore_index=True)


def _scope_text(sc: Scenario) -> str:
    parts = []
    if sc.categories:
        parts.append("categories " + ", ".join(sc.categories))
    if sc.skus:
        parts.append(f"{len(sc.skus)} SKU" + ("s" if len(sc.skus) != 1 else ""))
    text = " + ".join(parts) or "every SKU"
    return text + (" via " + ", ".join(sc.channels) if sc.channels else "")


def load_scenario(wh, name: str) -> Scenario:
    with wh.engine.connect() as conn:
        row = conn.execute(select(table.c.spec_json).where(table.c.name == name)).first()
    if row is None:
        raise ScenarioError(f"No saved scenario is named {name!r}.")
    try:
        return Scenario.from_json(row[0])
    except ScenarioError as err:
        raise ScenarioError(f"The saved scenario {name!r} cannot be opened: {err}") from None


def delete_scenario(wh, name: str) -> bool:
    """Remove a saved scenario; False when there was none by that name."""
    with wh.engine.begin() as conn:
        return conn.execute(delete(table).where(table.c.name == name)).rowcount > 0


def rename_scenario(wh, old: str, new: str, *, now: datetime | None = None) -> None:
    sc = load_scenario(wh, old).with_name(new)
    if sc.name == old:
        return
    with wh.engine.begin() as conn:
        if conn.execute(select(table.c.name).where(table.c.name == sc.name)).first():
            raise ScenarioError(f"A scenario named {sc.name!r} already exists: pick another name.")
        conn.execute(update(table).where(table.c.name == old)
                     .values(name=sc.name, spec_json=sc.to_json(), saved_at=_stamp(now)))

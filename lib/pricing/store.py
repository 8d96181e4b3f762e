"""Saved scenarios, by name, in the warehouse (DuckDB, PostgreSQL or ClickHouse): table shopcast_scenarios.

    save_scenario(wh, scenario, *, now=None, overwrite=True)   list_scenarios(wh) -> DataFrame
    load_scenario(wh, name) -> Scenario                         delete_scenario(wh, name) -> bool
    rename_scenario(wh, old, new, *, now=None)

Each save is an upsert by name (lib.warehouse.userrows: one INSERT ... ON CONFLICT (name) DO UPDATE on DuckDB
and PostgreSQL; on ClickHouse, which has no unique constraint, a check then one INSERT or UPDATE under the
process's write lock): two sessions saving the same name at once both succeed and the later one wins. A stored
spec that no longer validates (edited by hand) raises ScenarioError when opened, naming the scenario.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import delete, select, update

from lib.pricing.scenario import Scenario, ScenarioError
from lib.warehouse import userrows
from lib.warehouse.tables import scenarios as table

__all__ = ["save_scenario", "list_scenarios", "load_scenario", "delete_scenario", "rename_scenario"]


def _stamp(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(tzinfo=None)


def save_scenario(wh, scenario: Scenario, *, now: datetime | None = None, overwrite: bool = True) -> None:
    """Store ``scenario`` under its name; with overwrite=False an existing name raises ScenarioError.

    An upsert on the name (lib.warehouse.userrows.upsert), so sessions saving the same name at once never
    fail: the last one wins. A write-write conflict reported by the database is retried.
    """
    if not isinstance(scenario, Scenario):
        raise ScenarioError("Only a validated Scenario can be saved.")
    row = {"name": scenario.name, "spec_json": scenario.to_json(), "saved_at": _stamp(now)}
    if not userrows.upsert(wh, table, row, overwrite=overwrite):
        raise ScenarioError(f"A scenario named {scenario.name!r} already exists: pick another name.")


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
    with userrows.writing(wh) as conn:
        return userrows.changed(conn, delete(table).where(table.c.name == name)) > 0


def rename_scenario(wh, old: str, new: str, *, now: datetime | None = None) -> None:
    sc = load_scenario(wh, old).with_name(new)
    if sc.name == old:
        return
    with userrows.writing(wh) as conn:      # the check and the rename in one transaction (ClickHouse: one lock)
        if conn.execute(select(table.c.name).where(table.c.name == sc.name)).first():
            raise ScenarioError(f"A scenario named {sc.name!r} already exists: pick another name.")
        conn.execute(update(table).where(table.c.name == old)
                     .values(name=sc.name, spec_json=sc.to_json(), saved_at=_stamp(now)))

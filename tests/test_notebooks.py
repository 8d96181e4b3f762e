"""Notebooks: cell editing by hand, stored in the warehouse (DuckDB, PostgreSQL and ClickHouse)."""
from __future__ import annotations

from datetime import datetime

import pytest

from lib.sharing.notebooks import (
    MAX_CELLS,
    Notebook,
    create_notebook,
    delete_notebook,
    get_notebook,
    list_notebooks,
    save_notebook,
)
from lib.sharing.views import ViewError


def test_add_edit_move_remove_cells():
    nb = Notebook("abcdefgh", "Monday", "v1")
    nb = nb.add_markdown("# Week 12").add_view("overview", [("range", "Last 7 days")], "KPIs")
    nb = nb.add_markdown("Notes", at=1)
    assert [c.kind for c in nb.cells] == ["markdown", "markdown", "view"]
    nb = nb.move(2, -1)
    assert [c.text for c in nb.cells] == ["# Week 12", "KPIs", "Notes"]
    assert nb.move(0, -1).cells == nb.cells                     # the first cell cannot go higher
    nb = nb.edit(2, "Decisions: reorder mugs")
    assert nb.cells[2].text == "Decisions: reorder mugs"
    nb = nb.remove(0)
    assert [c.text for c in nb.cells] == ["KPIs", "Decisions: reorder mugs"]
    assert nb.cells[0].params == (("range", "Last 7 days"),)
    with pytest.raises(ViewError, match="no cell 9"):
        nb.remove(8)
    with pytest.raises(ViewError, match="looks like a secret"):
        nb.add_view("overview", [("api_token", "x")])
    full = Notebook("abcdefgh", "Full", "v1", tuple(nb.cells[0] for _ in range(MAX_CELLS)))
    with pytest.raises(ViewError, match=f"at most {MAX_CELLS} cells"):
        full.add_markdown("one more")


def test_store_round_trip_list_and_delete(wh):
    nb_id = create_notebook(wh, "Monday meeting", "v1", now=datetime(2026, 4, 1, 9))
    nb = get_notebook(wh, nb_id)
    assert nb.name == "Monday meeting" and nb.cells == () and nb.data_version == "v1"
    nb = nb.add_markdown("## Sales").add_view("funnel", [("unit", "user")], "Funnel by user").repin("v2")
    save_notebook(wh, nb, now=datetime(2026, 4, 2, 9))
    again = get_notebook(wh, nb_id)
    assert again == nb
    listed = list_notebooks(wh)
    assert listed["name"].tolist() == ["Monday meeting"] and listed["cells"].tolist() == [2]
    assert delete_notebook(wh, nb_id) and not delete_notebook(wh, nb_id)
    with pytest.raises(LookupError, match="No notebook"):
        get_notebook(wh, nb_id)
    with pytest.raises(LookupError, match="No notebook"):
        save_notebook(wh, nb)

"""AppTest for the Home and Data pages (Streamlit's headless test runner)."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.conftest import ROOT

T0 = datetime(2026, 1, 5, 12, 0)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SHOPCAST_TIMEZONE", "UTC")
    return tmp_path


def app(timeout: float = 30) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.run()
    return at


def seed_orders(data_dir, n=3):
    wh = Warehouse.open(settings=Settings.from_env())
    df = pd.DataFrame({"order_id": [f"o{i}" for i in range(n)], "ordered_at": [f"2026-01-0{i + 1} 10:00" for i in range(n)],
                       "customer_id": ["c1"] * n, "sku": ["S1"] * n, "quantity": [1] * n, "unit_price": [9.5] * n})
    wh.load("orders", df, source="upload:orders.csv", now=T0)
    return wh


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [e.value for e in at.error] + [t.value for t in at.title]
    return "\n".join(str(p) for p in parts)


def test_home_empty_state(data_dir):
    at = app()
    assert not at.exception
    assert "No data loaded yet" in texts(at)


def test_home_shows_loaded_feeds(data_dir):
    seed_orders(data_dir, 3)
    at = app()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Orders"] == "3"
    assert metrics["Events"] == "0"
    body = texts(at)
    assert "2026-01-01 → 2026-01-03" in body
    assert "Not loaded yet: events, inventory, products" in body


def test_data_page_lists_loads_and_previews(data_dir):
    seed_orders(data_dir, 2)
    at = app()
    at.switch_page("pages/data_page.py").run()
    assert not at.exception
    assert at.title[0].value == "Data sources"
    assert {m.label: m.value for m in at.metric}["Orders"] == "2"
    frames = [d.value for d in at.dataframe]
    preview = frames[0]
    assert preview["order_id"].tolist() == ["o1", "o0"]       # newest first
    history = frames[1]
    assert history["source"].tolist() == ["upload:orders.csv"]


def test_data_page_source_choice_from_url(data_dir):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["src"] = "Demo store"
    at.run()
    at.switch_page("pages/data_page.py")
    at.query_params["src"] = "Demo store"
    at.run()
    assert not at.exception
    assert any("Generate and load the demo store" in b.label for b in at.button)


def test_data_page_reads_a_sql_source_and_loads_it(data_dir, monkeypatch):
    import duckdb
    src = data_dir / "shop.duckdb"
    con = duckdb.connect(str(src))
    con.execute("CREATE TABLE sales AS SELECT * FROM (VALUES ('A1', '2026-01-02 10:00', 'c1', 'S1', 2, 9.5), "
                "('A2', '2026-01-03 11:00', 'c2', 'S2', 1, 4.0)) t(order_id, ordered_at, customer_id, sku, "
                "quantity, unit_price)")
    con.close()
    monkeypatch.setenv("SHOPCAST_SOURCE_URL", f"duckdb:///{src}")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.switch_page("pages/data_page.py")
    at.query_params["src"] = "SQL database"
    at.run()
    assert "read-only" in texts(at)
    at.text_area[0].set_value("SELECT * FROM sales").run()
    next(b for b in at.button if b.label == "Read from the database").click().run()
    assert not at.exception
    next(b for b in at.button if b.label.startswith("Validate and load into orders")).click().run()
    assert not at.exception
    assert "Loaded **2** rows into **orders**" in at.success[0].value
    assert {m.label: m.value for m in at.metric}["Orders"] == "2"

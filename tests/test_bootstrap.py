"""`make run`'s demo step: loads the demo store once, then leaves existing data alone."""
from __future__ import annotations

from lib.ingest import bootstrap
from lib.settings import Settings
from lib.warehouse import Warehouse


def test_bootstrap_loads_demo_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert bootstrap.main(["--if-empty", "--seed", "3", "--scale", "0.05", "--as-of", "2026-11-26"]) == 0
    wh = Warehouse.open(settings=Settings.from_env())
    counts = wh.row_counts()
    assert all(counts[f] > 0 for f in ("orders", "events", "inventory", "products", "promotions", "customers", "spend"))
    hist = wh.load_history()
    assert sorted(hist["feed"]) == ["customers", "events", "inventory", "orders", "products", "promotions", "spend"]
    assert set(hist["source"]) == {"demo:seed=3,scale=0.05"}
    last = wh.read("SELECT max(ordered_at) AS m FROM orders")["m"].iloc[0]
    assert str(last)[:10] <= "2026-11-26"
    version = wh.data_version()
    wh.dispose()
    assert bootstrap.main(["--if-empty", "--seed", "3", "--scale", "0.05", "--as-of", "2026-11-26"]) == 0
    assert "already has data" in capsys.readouterr().out
    wh = Warehouse.open(settings=Settings.from_env())
    assert wh.data_version() == version and len(wh.load_history()) == 7
    wh.dispose()

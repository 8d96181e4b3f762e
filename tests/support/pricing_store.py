"""The small hand-built store of tests/test_app_pricing.py (four SKUs, 140 days through AS_OF, one
promotion; the expected figures are hand-computed there), the data_dir fixture that points the app at a
fresh folder, and the AppTest helpers of the Pricing page (page, tiles, texts)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.settings import Settings
from lib.warehouse import Warehouse
from tests.support.paths import ROOT

__all__ = ["AS_OF", "BELOW_COST_DAY", "CUP_MOVE", "DAYS", "PRODUCTS", "PROMOTIONS", "PROMO_DAYS", "T0",
           "data_dir", "order_lines", "page", "seed_store", "texts", "tiles"]


AS_OF = date(2026, 3, 31)
T0 = datetime(2026, 4, 1, 12, 0)
DAYS = pd.date_range(AS_OF - timedelta(days=139), AS_OF)
PRODUCTS = pd.DataFrame({
    "sku": ["MUG", "CUP", "TEE", "CAP"], "name": ["Mug", "Cup", "Tee", "Cap"],
    "category": ["Mugs", "Mugs", "Tees", "Tees"], "unit_cost": [4.0, 3.0, 8.0, 5.0],
    "price": [10.0, 9.0, 20.0, 12.0], "supplier": ["Acme", "Acme", "Bolt", "Bolt"]})
PROMO_DAYS = pd.date_range("2026-03-11", "2026-03-17")
PROMOTIONS = pd.DataFrame({"promo_id": ["P1"], "start_date": [date(2026, 3, 11)], "end_date": [date(2026, 3, 17)],
                           "discount_pct": [20.0], "sku": ["MUG"], "category": [None], "type": ["percent_off"],
                           "channel": [None]})
BELOW_COST_DAY = pd.Timestamp("2026-03-28")
CUP_MOVE = pd.Timestamp("2026-01-15")


def order_lines() -> pd.DataFrame:
    rows = []
    for k, d in enumerate(DAYS):
        wiggle = k % 7 == 5                           # one busier day a week, so weeks are not all equal
        for sku in PRODUCTS["sku"]:
            price = float(PRODUCTS.set_index("sku").loc[sku, "price"])
            units, discount = 2 + wiggle, 0.0
            if sku == "MUG" and d in PROMO_DAYS:
                price, units = 8.0, 5
            if sku == "CUP":
                price, units = (8.0, 3 + wiggle) if d < CUP_MOVE else (9.0, 2 + wiggle)
            if sku == "TEE" and d == BELOW_COST_DAY:
                units, discount = 2, 28.0
            if sku == "TEE" and d != BELOW_COST_DAY or sku == "CAP":    # half online, half in store
                rows.append((f"{sku}-{k}-s", d + pd.Timedelta(hours=11), f"c{k}", sku, 1, price, 0.0, "store"))
                units -= 1
            rows.append((f"{sku}-{k}-w", d + pd.Timedelta(hours=10), f"c{k}", sku, units, price, discount, "web"))
    return pd.DataFrame(rows, columns=["order_id", "ordered_at", "customer_id", "sku", "quantity", "unit_price",
                                       "discount", "channel"])


def seed_store(*, promotions: bool = True, products: bool = True) -> None:
    inv = pd.DataFrame([(sku, d.date(), 50, 0) for sku in PRODUCTS["sku"] for d in DAYS],
                       columns=["sku", "date", "on_hand", "on_order"])
    wh = Warehouse.open(settings=Settings.from_env())
    if products:
        wh.load("products", PRODUCTS, source="upload:products.csv", as_of=AS_OF, now=T0)
    wh.load("orders", order_lines(), source="upload:orders.csv", as_of=AS_OF, now=T0)
    wh.load("inventory", inv, source="upload:inventory.csv", as_of=AS_OF, now=T0)
    if promotions:
        wh.load("promotions", PROMOTIONS, source="upload:promotions.csv", as_of=AS_OF, now=T0)
    wh.dispose()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SHOPCAST_TIMEZONE", "UTC")
    monkeypatch.setenv("SHOPCAST_CURRENCY", "USD")
    return tmp_path


def page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/pricing_page.py")
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info] + [s.value for s in at.success]
    parts += [w.value for w in at.warning] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts).replace("**", "")

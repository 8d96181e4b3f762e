"""The optional customers feed through the Sources page (AppTest): read from a SQL source, mapped, validated
(a malformed email is a warning, not an error), loaded, and listed with the other feeds."""
from __future__ import annotations

import duckdb
from streamlit.testing.v1 import AppTest

from tests.support.app_pages import data_dir, texts  # noqa: F401 - fixture
from tests.support.paths import ROOT


def test_sources_page_loads_a_customers_table_from_sql(data_dir, monkeypatch):  # noqa: F811
    src = data_dir / "crm.duckdb"
    con = duckdb.connect(str(src))
    con.execute("CREATE TABLE people AS SELECT * FROM (VALUES ('C1', 'Ana@Example.com', 'Ana', 'yes', 'US'), "
                "('C2', 'bo@example', 'Bo', 'no', 'GB'), ('C3', NULL, 'Cy', NULL, NULL)) "
                "t(\"Customer\", \"Email Address\", \"First Name\", \"Newsletter\", \"Country code\")")
    con.close()
    monkeypatch.setenv("SHOPCAST_SOURCE_URL", f"duckdb:///{src}")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.switch_page("pages/data_page.py")
    at.query_params["src"] = "SQL database"
    at.run()
    at.selectbox(key="sqlfeed").set_value("customers").run()
    at.text_area[0].set_value("SELECT * FROM people").run()
    next(b for b in at.button if b.label == "Read from the database").click().run()
    assert not at.exception
    mapped = {s.label.rstrip(" *"): s.value for s in at.selectbox if s.key and s.key.startswith("map:")}
    assert mapped == {"Customer id": "Customer", "Email": "Email Address", "First name": "First Name",
                      "Last name": "—", "Accepts marketing": "Newsletter", "Country": "Country code"}
    next(b for b in at.button if b.label.startswith("Validate and replace customers")).click().run()
    assert not at.exception
    assert "Loaded **3** rows into **customers**" in at.success[0].value
    assert "1 warning (loaded anyway): 1 × not a valid email address (loaded; left out of email audiences)" \
        in texts(at)
    assert {m.label: m.value for m in at.metric}["Customers"] == "3"


def test_an_uploaded_shopify_customers_export_is_recognised_and_loads(tmp_path):
    """The upload path (lib.ingest, as the Sources page calls it): the file is taken for the customers feed,
    mapped with the Shopify customers profile, and loads with one warning (the malformed address)."""
    from pathlib import Path

    from lib import ingest
    from lib.settings import Settings
    from lib.warehouse import Warehouse

    sample = Path(ROOT) / "data" / "samples" / "shopify_customers_export.csv"
    wh = Warehouse.open(url=f"duckdb:///{tmp_path}/wh.duckdb", settings=Settings(store_timezone="UTC"))
    try:
        prep = ingest.prepare_file(sample.read_bytes(), sample.name, wh=wh)
        assert (prep.feed, prep.profile, prep.missing) == ("customers", "shopify_customers", [])
        rep = ingest.load_prepared(wh, prep)
        assert (rep.feed, rep.rows, len(rep.warnings)) == ("customers", 7, 1)
        got = wh.read("SELECT customer_id, email, accepts_marketing FROM customers ORDER BY customer_id LIMIT 2")
        assert got.values.tolist() == [["7210448301101", "ada.north@example.com", True],
                                       ["7210448301102", "ben.okafor@example.com", False]]
        assert ingest.feed_overview(wh).set_index("feed").loc["customers", "rows"] == 7
    finally:
        wh.dispose()

"""Chart exports (SVG/PNG via vl-convert, offline) and the download controls of lib.ui.widgets.downloads."""
from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET

import altair as alt
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import exports
from lib.ui.widgets import downloads
from tests.support.exports import deferred  # noqa: F401 - fixtures, used by name

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SALES = pd.DataFrame({"item": ["Mug", "Tee", "Cap"], "units": [12, 30, 7], "shop": ["web", "web", "pos"]})


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_root(data: bytes) -> ET.Element:
    root = ET.fromstring(data)
    assert root.tag.rsplit("}", 1)[-1] == "svg"
    return root


def bars() -> alt.Chart:
    return alt.Chart(SALES).mark_bar().encode(x=alt.X("item:N", title="Product line"),
                                              y=alt.Y("units:Q", title="Units sold"))


def test_svg_is_xml_with_the_axis_titles_and_labels():
    svg = exports.chart_svg(bars().properties(width=300, height=200))
    svg_root(svg)
    text = svg.decode()
    assert "Product line" in text and "Units sold" in text
    assert "Mug" in text and "Tee" in text                     # the data's axis labels


def test_png_has_plausible_dimensions():
    w1, h1 = png_size(exports.chart_png(bars().properties(width=300, height=200), scale=1))
    assert 300 < w1 < 450 and 200 < h1 < 320                    # plot plus axes and titles
    w2, h2 = png_size(exports.chart_png(bars().properties(width=300, height=200)))   # default scale 2
    assert abs(w2 - 2 * w1) <= 2 and abs(h2 - 2 * h1) <= 2


def test_a_continuous_chart_without_a_width_gets_the_export_width():
    w, _ = png_size(exports.chart_png(alt.Chart(SALES).mark_point().encode(x="units:Q", y="units:Q"), scale=1))
    assert w >= exports.EXPORT_WIDTH


def test_layered_chart_with_text_labels():
    base = bars()
    labels = alt.Chart(SALES).mark_text(dy=-6).encode(x="item:N", y="units:Q", text=alt.Text("units:Q"))
    layered = alt.layer(base, labels).properties(width=240, height=160)
    svg = exports.chart_svg(layered).decode()
    svg_root(svg.encode())
    assert ">30<" in svg or "30</text>" in svg                  # the label of the Tee bar
    assert png_size(exports.chart_png(layered))[0] > 400


def test_faceted_and_concatenated_charts():
    faceted = bars().properties(width=150, height=120).facet(column=alt.Column("shop:N", title="Shop"))
    svg = exports.chart_svg(faceted).decode()
    assert "web" in svg and "pos" in svg and "Shop" in svg
    w_facet, _ = png_size(exports.chart_png(faceted, scale=1))
    assert w_facet > 2 * 150                                     # two panels side by side
    concat = alt.hconcat(bars().properties(width=120), bars().mark_point().properties(width=120))
    svg_root(exports.chart_svg(concat))
    assert png_size(exports.chart_png(concat, scale=1))[0] > 240


def test_a_chart_with_a_selection_param_still_exports():
    pick = alt.selection_point(name="pick", fields=["item"], on="click", clear="dblclick")
    chart = bars().add_params(pick).encode(opacity=alt.condition(pick, alt.value(1), alt.value(0.3)))
    assert "Units sold" in exports.chart_svg(chart).decode()
    assert png_size(exports.chart_png(chart))[0] > 0


def test_large_inline_data_is_not_refused_and_the_global_transformer_is_restored():
    active = alt.data_transformers.active
    big = pd.DataFrame({"x": range(6000), "y": range(6000)})
    chart = alt.Chart(big).mark_point().encode(x="x:Q", y="y:Q")
    assert exports.chart_spec(chart)["datasets"]               # data inlined, past Altair's 5000-row cap
    assert alt.data_transformers.active == active


def test_dates_in_object_columns_and_numpy_values_export():
    from datetime import date
    df = pd.DataFrame({"cohort": [date(2026, 1, 1), date(2026, 2, 1)], "rate": [0.5, 0.25],
                       "n": pd.array([3, None], dtype="Int64")}).astype({"cohort": object})
    chart = alt.Chart(df).mark_line().encode(x=alt.X("cohort:T", title="Cohort month"), y="rate:Q")
    assert "Cohort month" in exports.chart_svg(chart).decode()
    assert png_size(exports.chart_png(chart))[0] > 0


def test_external_data_is_never_fetched():
    chart = alt.Chart(alt.UrlData("https://example.com/sales.csv")).mark_bar().encode(x="a:N", y="b:Q")
    with pytest.raises(ValueError, match="not allowed"):
        exports.chart_svg(chart)


def test_table_files_neutralise_formula_cells():
    df = pd.DataFrame({"sku": ["=1+2", "+cmd", "MUG"], "units": [-3, 2, 1]})
    files = downloads.table_files(df, "Order Plan / June", hide_index=True)
    name, mime, make = files["csv"]
    assert name == "order-plan-june.csv" and mime == "text/csv"
    csv = pd.read_csv(io.BytesIO(make()), dtype=str)
    assert csv["sku"].tolist() == ["'=1+2", "'+cmd", "MUG"]
    assert csv["units"].tolist() == ["-3", "2", "1"]            # numbers stay numbers
    name, _, make = files["xlsx"]
    assert name == "order-plan-june.xlsx"
    back = pd.read_excel(io.BytesIO(make()))
    assert back["sku"].tolist() == ["'=1+2", "'+cmd", "MUG"]


def test_table_files_export_what_is_shown():
    styled = pd.DataFrame({"a": ["=x"], "b": [1]}).style.highlight_max()
    csv = downloads.table_files(styled, "t", ("csv",), column_order=["b", "a"])["csv"][2]().decode()
    assert csv.splitlines() == ["b,a", "1,'=x"]
    indexed = pd.DataFrame({"v": [1]}, index=pd.Index(["@row"], name="key"))
    assert downloads.table_files(indexed, "t", ("csv",))["csv"][2]().decode().splitlines() == ["key,v", "'@row,1"]
    full = pd.DataFrame({"a": [1, 2], "when": pd.to_datetime(["2026-01-05 10:00"] * 2).tz_localize("UTC")})
    xlsx = downloads.table_files(full.head(1), "t", ("xlsx",), export=full)["xlsx"][2]()
    assert len(pd.read_excel(io.BytesIO(xlsx))) == 2            # the full table behind the preview, tz dropped


def _page():
    import altair as alt
    import pandas as pd

    from lib.ui.widgets import downloads

    df = pd.DataFrame({"item": ["=1+2", "Mug"], "units": [3, 4]})
    chart = alt.Chart(df).mark_bar().encode(x=alt.X("item:N", title="Item axis"), y="units:Q")
    downloads.chart(chart, "Units by item", key="units_chart")
    downloads.table(df, "Units by item", key="units_table", hide_index=True)
    downloads.table(df, "Units (xlsx only)", key="only_xlsx", formats=("xlsx",), hide_index=True)


def test_a_page_offers_png_svg_csv_xlsx_built_on_click(deferred):  # noqa: F811
    at = AppTest.from_function(_page).run(timeout=60)
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["PNG", "SVG", "CSV", "XLSX", "XLSX"]
    assert all(b.proto.deferred_file_id and not b.proto.url for b in at.get("download_button"))   # lazy
    assert len(at.get("vega_lite_chart")) == 1 and len(at.dataframe) == 2
    assert set(deferred) == {"units-by-item.png", "units-by-item.svg", "units-by-item.csv", "units-by-item.xlsx",
                             "units-xlsx-only.xlsx"}
    csv = pd.read_csv(io.BytesIO(deferred["units-by-item.csv"]()), dtype=str)
    assert csv["item"].tolist() == ["'=1+2", "Mug"]                  # neutralised for spreadsheets
    assert png_size(deferred["units-by-item.png"]())[0] > 0
    assert "Item axis" in deferred["units-by-item.svg"]().decode()


def test_selection_charts_and_tables_keep_their_widget_state():
    def page():
        import altair as alt
        import pandas as pd
        import streamlit as st

        from lib.ui.widgets import downloads

        df = pd.DataFrame({"item": ["Mug", "Tee"], "units": [3, 4]})
        pick = alt.selection_point(name="pick", fields=["item"])
        chart = alt.Chart(df).mark_bar().encode(x="item:N", y="units:Q").add_params(pick)
        event = downloads.chart(chart, "sel", key="sel_chart", on_select="rerun", selection_mode="pick")
        rows = downloads.table(df, "rows", key="rows_tbl", on_select="rerun", selection_mode="single-row")
        st.write(f"chart:{type(event).__name__} rows:{list(rows.selection.rows)} "
                 f"in_state:{'sel_chart' in st.session_state and 'rows_tbl' in st.session_state}")

    at = AppTest.from_function(page).run(timeout=60)
    assert not at.exception
    assert at.markdown[-1].value.startswith("chart:") and "rows:[]" in at.markdown[-1].value
    assert "in_state:True" in at.markdown[-1].value


def test_csv_and_xlsx_floats_carry_no_binary_noise_and_stay_numbers():
    import io

    import openpyxl

    from lib import exports

    df = pd.DataFrame({"sku": ["A", "B"], "revenue": [2158.5299999999997, 0.1 + 0.2],
                       "rate": [0.4537, None], "units": [288259, 3]})
    csv = exports.to_csv_bytes(df).decode()
    assert csv.splitlines() == ["sku,revenue,rate,units", "A,2158.53,0.4537,288259", "B,0.3,,3"]
    xlsx = exports.to_xlsx_bytes({"t": df}, exports.Formats(money=("revenue",), pct=("rate",), count=("units",),
                                                             currency="EUR"))
    ws = openpyxl.load_workbook(io.BytesIO(xlsx))["t"]
    assert [c.value for c in ws[2]] == ["A", 2158.53, 0.4537, 288259]
    assert ws["B2"].number_format == '"€"#,##0.00'
    assert ws["C2"].number_format == "0.0%"
    assert ws["D2"].number_format == "#,##0"
    assert ws["A2"].number_format == "General"

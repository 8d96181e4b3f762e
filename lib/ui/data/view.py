"""The Data page: connect a source, map its columns, validate, load; see what is loaded."""
from __future__ import annotations

import os

import streamlit as st

from lib import fmt, ingest
from lib.ingest import shopify, workbooks
from lib.messages import failures_table, source_label, warnings_summary
from lib.schema import FEEDS
from lib.settings import load_secrets
from lib.sources import sheets, sql
from lib.ui.app import shell
from lib.ui.widgets import downloads
from lib.ui.widgets.formatting import feed_cards, history_table, preview_columns
from lib.warehouse import db_urls
from lib.warehouse.append import key_columns

__all__ = ["render"]

SOURCES = ["Upload a file", "SQL database", "Google Sheets", "Demo store"]
FEED_LIST = list(FEEDS)
MODES = {"replace": "Replace the feed", "append": "Append to the feed"}
PROFILES = {"shopify_orders": "Shopify orders export", "ga4_events": "GA4 events export",
            "woocommerce_orders": "WooCommerce orders export", "canonical": "plain column names"}


def render() -> None:
    st.title("Data sources")
    st.caption("Connect a source, check how its columns map onto Shopcast's feeds, then validate and load. "
               "A load that fails validation changes nothing.")
    wh = shell.live_warehouse()          # loads always go to the live data, whatever the link pins
    source = st.segmented_control("Source", SOURCES, default=SOURCES[0], key="src", bind="query-params")
    with st.container(border=True):
        if source == "SQL database":
            _sql_source(wh)
        elif source == "Google Sheets":
            _sheets_source(wh)
        elif source == "Demo store":
            _demo_source(wh)
        else:
            _upload_source(wh)
    _loaded_section(wh)


# -- sources --------------------------------------------------------------------------------------
def _upload_source(wh) -> None:
    up = st.file_uploader("Upload a CSV, TSV, Excel (.xlsx) or Parquet file",
                          type=["csv", "tsv", "txt", "xlsx", "xlsm", "parquet"], key="upload")
    if up is None:
        st.info("Shopify and WooCommerce order exports, GA4 event exports and files with plain column names "
                "are recognised automatically. Sample files are in `data/samples/`.", icon=":material/upload:")
        return
    try:
        plan = _sheet_plan(up.getvalue(), up.name)
        if len(plan) > 1:
            sheet = _pick_sheet(plan, up.name)
            prep = workbooks.prepare_sheet(up.getvalue(), up.name, sheet,
                                           st.session_state.get(f"feedpick:upload:{up.name} [{sheet}]"), wh)
        else:
            prep = ingest.prepare_file(up.getvalue(), up.name, _feed_override(up.name), wh)
    except Exception as err:  # noqa: BLE001 - every failure becomes a message
        shell.show_error(err)
        return
    if len(plan) > 1:
        _several_sheets(wh, up.getvalue(), up.name, plan)
    _mapping_and_load(wh, prep)


def _sheet_plan(data: bytes, name: str):
    """workbooks.sheets of the uploaded file, read once per upload (kept in the session)."""
    memo = f"_sheetplan:{name}:{len(data)}:{hash(data[:4096])}"
    if memo not in st.session_state:
        st.session_state[memo] = workbooks.sheets(data, name)
    return st.session_state[memo]


def _sheet_label(plan, sheet: str) -> str:
    r = plan.set_index("sheet").loc[sheet]
    if not r["rows"]:
        return f"{sheet} (empty)"
    if r["feed"] is None or r["feed"] != r["feed"]:
        return f"{sheet} ({r['rows']:,} rows, no feed recognised)"
    return f"{sheet} ({r['rows']:,} rows, looks like {fmt.words(r['feed']).lower()}: {r['found']} of {r['needed']} " \
           "required columns)"


def _pick_sheet(plan, name: str) -> str:
    """The workbook's sheet to map, the one whose headers best match a feed unless the user picks another."""
    names = plan["sheet"].tolist()
    best = workbooks.best_sheet(plan) or names[0]
    return st.selectbox(f"Sheet ({len(names)} in this workbook)", names, index=names.index(best),
                        key=f"sheetpick:{name}", format_func=lambda s: _sheet_label(plan, s),
                        help="Proposed: the sheet whose column names best match a feed.")


def _several_sheets(wh, data: bytes, name: str, plan) -> None:
    """Load several sheets of the workbook as their feeds at once (each checked first; nothing loaded when
    one fails)."""
    usable = plan[(plan["rows"] > 0) & plan["feed"].notna()]
    if len(usable) < 2:
        return
    with st.expander(f"Load several sheets at once ({len(usable)} look like feeds)"):
        picks = st.data_editor(
            usable.assign(load=True)[["load", "sheet", "feed", "rows"]], key="sheets_editor", hide_index=True,
            disabled=["sheet", "rows"], width="stretch",
            column_config={"load": st.column_config.CheckboxColumn("Load"), "sheet": "Sheet",
                           "feed": st.column_config.SelectboxColumn("Into feed", options=FEED_LIST,
                                                                    required=True),
                           "rows": st.column_config.NumberColumn("Rows", format="localized")})
        chosen = {r.sheet: r.feed for r in picks.itertuples() if r.load}
        if st.button(f"Load {len(chosen)} sheets", icon=":material/upload:", disabled=not chosen,
                     key="load_sheets"):
            try:
                reports = workbooks.load_sheets(wh, data, name, chosen, as_of=shell.today())
            except Exception as err:  # noqa: BLE001 - every failure becomes a message
                shell.show_error(err)
                return
            st.success("Loaded " + ", ".join(f"{fmt.words(f).lower()} ({r.rows:,} rows)" for f, r in reports.items())
                       + f" from {name}.", icon=":material/check_circle:")


def _feed_override(name: str) -> str | None:
    return st.session_state.get(f"feedpick:{name}")


def _sql_source(wh) -> None:
    url = sql.url_from_config(os.environ, load_secrets())
    if not url:
        st.info("No database is configured. Put the SQLAlchemy URL in `.streamlit/secrets.toml` under "
                "`[sources.sql] url = \"postgresql+psycopg://user:password@host/db\"` or in the "
                "`SHOPCAST_SOURCE_URL` environment variable, then reload. The password is never shown.",
                icon=":material/database:")
        return
    st.caption(f"Connected to `{sql.describe(url)}` (read-only).")
    feed = st.selectbox("Feed", FEED_LIST, key="sqlfeed", format_func=fmt.words)
    query = st.text_area("Table name or SELECT statement", key=f"sqlq:{feed}", placeholder=f"{feed}")
    if st.button("Read from the database", icon=":material/download:") and query.strip():
        try:
            raw = sql.read_feed(url, query.strip())
            st.session_state["prepared"] = ingest.prepare_frame(raw, f"sql:{feed}", feed, wh)
        except Exception as err:  # noqa: BLE001
            shell.show_error(err)
            return
    prep = st.session_state.get("prepared")
    if prep is not None and prep.source == f"sql:{feed}":
        _mapping_and_load(wh, prep)


def _sheets_source(wh) -> None:
    info = sheets.service_account_from_config(os.environ, load_secrets())
    if not info:
        st.info("No Google service account is configured. Add it to `.streamlit/secrets.toml` as a "
                "`[gcp_service_account]` table (the JSON key's fields), share each sheet with its "
                "client_email, then reload.", icon=":material/table:")
        return
    st.caption(f"Service account: `{info.get('client_email', '?')}`")
    feed = st.selectbox("Feed", FEED_LIST, key="sheetfeed", format_func=fmt.words)
    ref = st.text_input("Sheet URL or key", key=f"sheetref:{feed}")
    tab = st.text_input("Worksheet (blank = the first one)", key=f"sheettab:{feed}")
    if st.button("Read the sheet", icon=":material/download:") and ref.strip():
        try:
            client = sheets.client_from_service_account(info)
            raw = sheets.read_worksheet(client, ref.strip(), tab.strip() or None)
            key = sheets.parse_sheet_ref(ref.strip())
            st.session_state["prepared"] = ingest.prepare_frame(raw, f"sheets:{key}/{tab or 'first'}", feed, wh)
        except Exception as err:  # noqa: BLE001
            shell.show_error(err)
            return
    prep = st.session_state.get("prepared")
    if prep is not None and prep.source.startswith("sheets:"):
        _mapping_and_load(wh, prep)


def _demo_source(wh) -> None:
    st.write("A realistic synthetic store: two years of orders, web sessions, stock and promotions for about "
             "300 SKUs. Loading it **replaces** all six feeds.")
    c1, c2 = st.columns(2)
    seed = c1.number_input("Seed", min_value=0, max_value=10_000, value=7, step=1, key="seed",
                           bind="query-params")
    scale = c2.select_slider("Scale", options=[0.1, 0.25, 0.5, 1.0], value=1.0, key="scale",
                             bind="query-params", help="1.0 ≈ 300 SKUs and 250k order lines")
    if st.button("Generate and load the demo store", type="primary", icon=":material/storefront:"):
        bar = st.progress(0.0, text="Starting…")
        try:
            reports = ingest.load_demo(wh, shell.settings().data_dir, seed=int(seed), scale=float(scale),
                                       as_of=shell.today(),
                                       progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m))
        except Exception as err:  # noqa: BLE001
            bar.empty()
            shell.show_error(err)
            return
        st.success("Demo store loaded: " + ", ".join(f"{r.feed} {r.rows:,}" for r in reports),
                   icon=":material/check_circle:")


# -- mapping and load -----------------------------------------------------------------------------
def _mapping_and_load(wh, prep: ingest.Prepared) -> None:
    info = prep.info
    facts = [f"{len(prep.raw):,} rows", f"{len(prep.raw.columns)} columns", f"format: {PROFILES.get(prep.profile, prep.profile)}"]
    facts += [f"{k}: {v!r}" for k, v in info.items()]
    st.caption(" · ".join(facts))
    name = prep.source
    feed = st.selectbox("Load into feed", FEED_LIST, index=FEED_LIST.index(prep.feed), key=f"feedpick:{name}",
                        format_func=fmt.words, help="Guessed from the column names; change it if the guess is wrong.")
    if feed != prep.feed:
        prep = ingest.with_feed(prep, feed, wh)
    prep.mapping = _mapping(prep, feed, name)
    if prep.missing:
        st.warning("Map the required columns before loading: " + ", ".join(fmt.words(c) for c in prep.missing),
                   icon=":material/warning:")
    if prep.profile == "shopify_orders" and feed == "orders":
        st.info(shopify.NOTES, icon=":material/storefront:")
    if not prep.missing:
        _mapped_preview(wh, prep, feed)
    with st.expander("The file as read (first 50 rows, before mapping)", expanded=False):
        downloads.table(prep.raw.head(50), f"{name}-preview", key=f"raw:{name}", width="stretch")
    _validate_and_load(wh, prep, feed)


def _mapping(prep: ingest.Prepared, feed: str, name: str) -> dict:
    options = ["—"] + [str(c) for c in prep.raw.columns]
    spec = FEEDS[feed]
    mapped = sum(1 for c in spec.names if prep.mapping.get(c))
    how = "remembered from the last load of this source" if prep.remembered else "suggested from the headers"
    mapping = {}
    with st.expander(f"Column mapping: {mapped} of {len(spec.names)} columns mapped, {how}. "
                     "Open to check or correct it.", expanded=bool(prep.missing), icon=":material/swap_horiz:"):
        st.caption("Columns marked * are required. Choose — to leave an optional column out.")
        cols = st.columns(3)
        for i, col in enumerate(spec.columns):
            cur = prep.mapping.get(col.name)
            label = f"{fmt.words(col.name)}{' *' if col.required else ''}"
            about = f"Feed column `{col.name}`" + (f": {col.description}" if col.description else "")
            pick = cols[i % 3].selectbox(label, options, index=options.index(cur) if cur in options else 0,
                                         key=f"map:{name}:{feed}:{col.name}", help=about)
            mapping[col.name] = None if pick == "—" else pick
    return mapping


def _mapped_preview(wh, prep: ingest.Prepared, feed: str) -> None:
    st.markdown("**Preview: the first rows as they will be loaded**")
    st.caption("After mapping, as validation reads them: the feed's columns, dates in the store's timezone, "
               "numbers as numbers, statuses and event names normalised. *Row* is the row in the file. "
               "An empty cell is an optional column left out, or a value that cannot be read "
               "(Validate only lists every problem).")
    try:
        df = ingest.mapped_preview(prep, wh, rows=20)
    except Exception as err:  # noqa: BLE001 - a mapping the user chose may not apply
        shell.show_error(err)
        return
    st.dataframe(df, hide_index=True, width="stretch", column_config=preview_columns(df, feed),
                 key=f"mapped:{prep.source}:{feed}")


def _validate_and_load(wh, prep: ingest.Prepared, feed: str) -> None:
    name = prep.source
    held = wh.row_counts()[feed]
    mode = st.radio("How to load", list(MODES), format_func=MODES.get, key="loadmode", horizontal=True,
                    help="Replace: the feed becomes this file. Append: the file's rows are added to the rows "
                         "already loaded.")
    st.caption(_mode_sentence(mode, feed, held))
    verb = "replace" if mode == "replace" else "append to"
    c1, c2, _ = st.columns([1, 2, 2])
    check = c1.button("Validate only", key=f"check:{name}", disabled=bool(prep.missing), icon=":material/rule:",
                      help="Run every check a load runs and list the problems; nothing is loaded.")
    load = c2.button(f"Validate and {verb} {feed}", type="primary", disabled=bool(prep.missing),
                     key=f"load:{name}", icon=":material/upload:")
    if check:
        with st.spinner(f"Validating {len(prep.raw):,} rows…"):
            try:
                rep = ingest.check_prepared(wh, prep, as_of=shell.today(), mode=mode)
            except Exception as err:  # noqa: BLE001
                shell.show_error(err, checking=True)
                return
        what = (f"replacing the {rep.current_rows:,} rows there now" if mode == "replace" else
                f"added to the {rep.current_rows:,} rows there now")
        st.success(f"Valid: **{rep.rows:,}** rows would be loaded into **{feed}** ({what}). Nothing was changed.",
                   icon=":material/task_alt:")
        _warnings(rep.warnings, name, f"check-{feed}-warnings", f"checkwarn:{name}")
    if load:
        with st.spinner(f"Validating {len(prep.raw):,} rows and loading…"):
            try:
                rep = ingest.load_prepared(wh, prep, as_of=shell.today(), mode=mode)
            except Exception as err:  # noqa: BLE001
                shell.show_error(err)
                return
        if rep.mode == "append":
            st.success(f"Appended **{rep.rows:,}** rows to **{feed}** from {source_label(rep.source)}: it now holds "
                       f"{rep.rows + rep.kept_rows:,} rows. Load #{rep.load_id}.", icon=":material/check_circle:")
        else:
            st.success(f"Loaded **{rep.rows:,}** rows into **{feed}** from {source_label(rep.source)} "
                       f"(replacing {rep.replaced_rows:,}). Load #{rep.load_id}.", icon=":material/check_circle:")
        _warnings(rep.warnings, name, f"{feed}-load-{rep.load_id}-warnings", f"warn:{name}")


def _mode_sentence(mode: str, feed: str, held: int) -> str:
    if not held:
        return f"The {feed} feed is empty: the file's rows become the feed (either way)."
    if mode == "replace":
        return (f"**Replace**: the {held:,} rows now in {feed} are removed and the file's rows take their place, "
                "in one step (a failed load changes nothing).")
    key = key_columns(feed)
    named = [fmt.words(k) if k in fmt.WORDS else fmt.words(k).lower() for k in key]
    keys = " and ".join(named) if len(key) < len(FEEDS[feed].names) else "every column"
    return (f"**Append**: the file's rows are added to the {held:,} rows already in {feed}. A row that is "
            f"already there (same {keys}) stops the load, and nothing changes.")


def _warnings(warnings, source: str, filename: str, key: str) -> None:
    if len(warnings):
        st.warning(warnings_summary(warnings), icon=":material/warning:")
        downloads.table(failures_table(warnings.head(500), source), filename, key=key, hide_index=True,
                        width="stretch")


# -- what is loaded -------------------------------------------------------------------------------
def _loaded_section(wh) -> None:
    st.subheader("Loaded data")
    with st.expander(f"Kept in {db_urls.warehouse_summary(wh.engine.url.render_as_string(hide_password=False))}",
                     icon=":material/database:"):
        st.markdown(db_urls.WAREHOUSE_SETUP)
    overview = ingest.feed_overview(wh)
    feed_cards(overview)
    left, right = st.columns([3, 2])
    with left:
        feed = st.selectbox("Preview feed", FEED_LIST, key="preview", bind="query-params")
        df = ingest.preview(wh, feed, limit=200)
        if df.empty:
            st.info(f"No {feed} loaded yet.", icon=":material/inbox:")
        else:
            downloads.table(df, f"{feed}-preview", key="feed_preview", hide_index=True, width="stretch", height=320,
                            column_config=preview_columns(df, feed))
    with right:
        st.markdown("**Load history**")
        hist = wh.load_history(50)
        if hist.empty:
            st.info("Nothing loaded yet.", icon=":material/history:")
        else:
            downloads.table(history_table(hist), "load-history", key="load_history", hide_index=True,
                            width="stretch", height=320,
                            column_config={"load": "Load", "feed": "Feed", "how": "How", "source": "Source",
                                           "rows": st.column_config.NumberColumn("Rows", format="localized"),
                                           "loaded (UTC)": "Loaded (UTC)", "checksum": "Checksum",
                                           "warnings": st.column_config.NumberColumn("Warnings",
                                                                                     format="localized")})

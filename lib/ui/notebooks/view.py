"""The Notebooks page: an analytics notebook of markdown notes and live views, pinned to a data version.

``/notebooks`` lists them and makes new ones; ``?nb=<id>`` opens one: each view cell is the live
page (an embedded frame of the page's link with the notebook's data version, in meeting mode), each
note is markdown. Edit mode adds, edits, reorders and removes cells; ``meeting=1`` shows the notebook
as a scrolling deck; "Export HTML" writes one self-contained file (charts as SVG, tables inline).
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import streamlit as st

from lib import jobs
from lib.reports import notebook
from lib.sharing import notebooks as nbs
from lib.sharing import views as sv
from lib.ui.app import nav, sharing, shell
from lib.warehouse import versions

__all__ = ["render", "view_src", "parse_link"]

NB = "nb"
CELL_HEIGHT, DECK_HEIGHT = 760, 900       # before the frame has measured its content (assets/fit_frames.js)
FIT_SCRIPT = (Path(__file__).resolve().parents[1] / "assets" / "fit_frames.js").read_text()


def view_src(page: str, params, data_version: str) -> str:
    """The embedded frame's address: the page, its settings, the data version, meeting mode. A path on
    this server (no scheme or host): the frame is same-origin, so it can size to its content."""
    base = urlsplit(shell.app_root()).path.rstrip("/")
    query = [(k, v) for k, v in params if k not in ("dv", "meeting", "embed", sharing.FRAME)]
    query += [("dv", data_version), ("meeting", "1"), (sharing.FRAME, "1"), ("embed", "true")]
    return f"{base}/{page}?{urlencode(query)}" if page else f"{base}/?{urlencode(query)}"


def parse_link(link: str) -> tuple[str, list[tuple[str, str]]]:
    """(page, settings) of a Shopcast link pasted by the user; raises ViewError when it is not one."""
    parts = urlsplit(link.strip())
    page = parts.path.strip("/").split("/")[-1] if parts.path.strip("/") else ""
    if nav.page_file(page) is None or page in ("views", "notebooks", "data"):
        raise sv.ViewError("Paste the link of an analysis page (from its Share box).")
    params = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("dv", "meeting", "embed", sharing.FRAME)]
    return page, params


def render() -> None:
    wh = shell.live_warehouse()
    nb_id = st.query_params.get(NB)
    if nb_id:
        try:
            nb = nbs.get_notebook(wh, nb_id)
        except (LookupError, sv.ViewError) as err:
            st.warning(f"{err} Pick a notebook below.", icon=":material/link_off:")
        else:
            _notebook(wh, nb)
            return
    _index(wh)


def _index(wh) -> None:
    st.title("Notebooks")
    st.caption("Notes and live views in one scrolling document, for a meeting or for the record. Each notebook "
               "keeps the data it was written on until you move it to the latest.")
    listed = nbs.list_notebooks(wh)
    if listed.empty:
        st.info("**No notebooks yet.** Make one below, then add notes and views from any page's Share box link.",
                icon=":material/book_2:")
    for row in listed.itertuples(index=False):
        st.page_link("pages/notebooks_page.py", label=f"{row.name} · {row.cells} cells",
                     icon=":material/book_2:", query_params={NB: row.notebook_id})
    with st.form("nb_new", border=True):
        name = st.text_input("New notebook", max_chars=sv.NAME_MAX, placeholder="e.g. Monday trading meeting")
        if st.form_submit_button("Create", icon=":material/add:"):
            try:
                nb_id = nbs.create_notebook(wh, name, wh.data_version())
            except sv.ViewError as err:
                st.error(str(err), icon=":material/error:")
            else:
                st.query_params[NB] = nb_id
                st.rerun()


def _save(wh, nb: nbs.Notebook) -> None:
    nbs.save_notebook(wh, nb)
    st.rerun()


def _header(wh, nb: nbs.Notebook, meeting: bool) -> bool:
    st.title(nb.name)
    kept = versions.versions(wh).set_index("version")
    current = wh.data_version()
    made = kept.at[nb.data_version, "made_at"] if nb.data_version in kept.index else None
    if nb.data_version == current:
        st.caption("On the latest data.")
    elif made is not None:
        st.info(f"**Numbers as they were on {made:%b %d, %Y %H:%M}** (data version `{nb.data_version}`). Newer "
                "data has been loaded since.", icon=":material/history:")
    else:
        st.warning(f"This notebook's data version `{nb.data_version}` is no longer kept; its views show the latest "
                   "data.", icon=":material/history:")
    if meeting:
        return False
    c1, c2, c3, c4 = st.columns([1.2, 1.2, 1.3, 1], vertical_alignment="center")
    if nb.data_version != current and c1.button("Move to the latest data", icon=":material/update:", key="nb_repin"):
        _save(wh, nb.repin(current))
    c2.page_link("pages/notebooks_page.py", label="Meeting mode", icon=":material/co_present:",
                 query_params={NB: nb.notebook_id, "meeting": "1"})
    with c3:
        _export(nb)
    edit = c4.toggle("Edit", value=not nb.cells, key="nb_edit")
    return edit


EXPORT_JOB = "_shopcast_nb_export"      # session key: {notebook id: job id} of this session's exports


def _export(nb: nbs.Notebook) -> None:
    """Export HTML runs on a worker thread (lib.jobs): while it runs, a fragment redraws its progress bar
    every second and the server goes on serving everyone; when it is done, the file is offered."""
    exports_of = st.session_state.setdefault(EXPORT_JOB, {})
    if st.button("Export HTML", icon=":material/html:", key="nb_export", disabled=not nb.cells):
        wh = shell.warehouse_at(nb.data_version)
        exports_of[nb.notebook_id] = jobs.submit(
            f"notebook:{nb.notebook_id}:{nb.data_version}:{hash(nb)}", notebook.notebook_html, nb,
            lambda version: wh, currency=shell.settings().currency, today=shell.today()).id
    job = jobs.get(exports_of.get(nb.notebook_id))
    if job is None:
        return
    if not job.done:
        _export_progress(job.id)
    elif job.error is not None:
        exports_of.pop(nb.notebook_id, None)
        shell.show_error(job.error)
    else:
        stamp = datetime.fromtimestamp(job.finished_at, UTC).strftime("%Y%m%d-%H%M")
        st.download_button("Download the HTML file", job.result.encode(), type="primary", on_click="ignore",
                           file_name=f"notebook-{nb.notebook_id}-{stamp}.html", mime="text/html",
                           icon=":material/download:", key="nb_export_dl")


@st.fragment(run_every=1.0)
def _export_progress(job_id: str) -> None:
    job = jobs.get(job_id)
    if job is None or job.done:
        st.rerun(scope="app")           # the whole page draws the result (and stops polling)
    st.progress(job.fraction, text=f"Exporting: {job.message}")


def _notebook(wh, nb: nbs.Notebook) -> None:
    meeting = sharing.in_meeting()
    edit = _header(wh, nb, meeting)
    if any(c.kind == "view" for c in nb.cells):
        st.html(f"<script>{FIT_SCRIPT}</script>", unsafe_allow_javascript=True)
    if not nb.cells:
        st.info("**This notebook is empty.** Add a note or a view below.", icon=":material/edit_note:")
    for i, cell in enumerate(nb.cells):
        with st.container(border=edit):
            if cell.kind == "markdown":
                st.markdown(cell.text)
            else:
                st.subheader(cell.text or nav.page_title(cell.page))
                st.iframe(view_src(cell.page, cell.params, nb.data_version),
                          height=DECK_HEIGHT if meeting else CELL_HEIGHT)
            if edit:
                _cell_controls(wh, nb, i)
    if edit:
        _add_cells(wh, nb)


def _cell_controls(wh, nb: nbs.Notebook, i: int) -> None:
    c1, c2, c3, c4 = st.columns([1, 1, 4, 1])
    if c1.button("Up", icon=":material/arrow_upward:", key=f"nb_up_{i}", disabled=i == 0):
        _save(wh, nb.move(i, -1))
    if c2.button("Down", icon=":material/arrow_downward:", key=f"nb_down_{i}", disabled=i == len(nb.cells) - 1):
        _save(wh, nb.move(i, 1))
    with c3.popover("Edit", icon=":material/edit:"):
        label = "Note (markdown)" if nb.cells[i].kind == "markdown" else "Title"
        text = st.text_area(label, value=nb.cells[i].text, key=f"nb_text_{i}", max_chars=nbs.TEXT_MAX)
        if st.button("Save", key=f"nb_save_{i}"):
            _save(wh, nb.edit(i, text))
    if c4.button("Remove", icon=":material/delete:", key=f"nb_rm_{i}"):
        _save(wh, nb.remove(i))


def _add_cells(wh, nb: nbs.Notebook) -> None:
    st.subheader("Add")
    note, saved, link = st.tabs(["A note", "A saved view", "A page's link"])
    with note:
        text = st.text_area("Note (markdown)", key="nb_new_note", max_chars=nbs.TEXT_MAX)
        if st.button("Add the note", key="nb_add_note"):
            if text.strip():
                _save(wh, nb.add_markdown(text))
            st.error("Write the note first.", icon=":material/error:")
    with saved:
        views = sv.list_views(wh)
        if views.empty:
            st.caption("No saved views yet: save one from any page's Share box.")
        else:
            names = dict(zip(views["view_id"], views["name"], strict=True))
            pick = st.selectbox("Saved view", list(names), format_func=names.get, key="nb_pick_view")
            if st.button("Add the view", key="nb_add_view"):
                view = views.set_index("view_id").loc[pick]
                _save(wh, nb.add_view(view["page"], view["params"], view["name"]))
    with link:
        pasted = st.text_input("Link from a page's Share box", key="nb_link")
        title = st.text_input("Title (optional)", key="nb_link_title", max_chars=sv.NAME_MAX)
        if st.button("Add the page", key="nb_add_link"):
            try:
                page, params = parse_link(pasted)
                _save(wh, nb.add_view(page, params, title))
            except sv.ViewError as err:
                st.error(str(err), icon=":material/error:")

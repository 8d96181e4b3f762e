"""The Saved views page: every saved view with its page, note, data version and short link; open,
rename, delete. ``?v=<id>`` (a view's short link) opens that view: its page with its settings and
the data version it was saved on (a banner says when newer data exists)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.sharing import views as sv
from lib.ui.app import nav, sharing, shell
from lib.warehouse import versions

__all__ = ["render", "save_form", "open_params"]


def open_params(view: dict) -> dict[str, list[str]]:
    """The query parameters that reopen a view: its settings plus its data version."""
    out: dict[str, list[str]] = {}
    for k, v in view["params"]:
        out.setdefault(k, []).append(v)
    if view["data_version"] and view["data_version"] != "empty":
        out[shell.DV] = [view["data_version"]]
    return out


def _open_link() -> bool:
    view_id = st.query_params.get("v")
    if not view_id:
        return False
    try:
        view = sv.get_view(shell.live_warehouse(), view_id)
    except LookupError as err:
        st.warning(f"{err} Pick a view below.", icon=":material/link_off:")
        return False
    target = nav.page_file(view["page"])
    if target is None:
        st.warning(f"The view “{view['name']}” belongs to a page this app no longer has.", icon=":material/link_off:")
        return False
    st.session_state[shell.LINK_OPEN] = True         # the view's settings, not this session's
    st.switch_page(target, query_params=open_params(view))
    return True


def render() -> None:
    if _open_link():
        return
    st.title("Saved views")
    st.caption("Views saved from the Share box of any page: the page, every control on it and the data it "
               "showed. Open one to see exactly that, or send its short link.")
    try:
        wh = shell.live_warehouse()
        views = sv.list_views(wh)
        kept = set(versions.versions(wh)["version"])
    except Exception as err:  # noqa: BLE001 - every failure becomes a message
        shell.show_error(err)
        return
    if views.empty:
        st.info("**No saved views yet.** Open any page, set it up, then use **Share this view → Save this "
                "view** in the sidebar.", icon=":material/bookmark:")
        return
    current = wh.data_version()
    table = pd.DataFrame({
        "name": views["name"], "page": views["page"].map(nav.page_title), "note": views["note"],
        "saved": views["updated_at"],
        "data": [("latest" if v == current else "kept" if v in kept else "no longer kept")
                 for v in views["data_version"]],
        "link": [sharing.page_link("views", params=[("v", i)]) for i in views["view_id"]]})
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "name": st.column_config.TextColumn("Name", pinned=True), "page": "Page", "note": "Note",
        "saved": st.column_config.DatetimeColumn("Saved (UTC)", format="YYYY-MM-DD HH:mm"),
        "data": st.column_config.TextColumn("Data", help="latest: the data now loaded; kept: an older data "
                                            "version the warehouse still keeps (the view shows it); no longer "
                                            "kept: the view opens on the latest data."),
        "link": st.column_config.LinkColumn("Short link", display_text="open")})
    _manage(wh, views)


def _manage(wh, views: pd.DataFrame) -> None:
    st.subheader("Manage")
    names = dict(zip(views["view_id"], views["name"], strict=True))
    view_id = st.selectbox("View", list(names), format_func=lambda i: names[i], key="sv_pick")
    view = views.set_index("view_id").loc[view_id]
    c1, c2 = st.columns([1, 3])
    c1.page_link(nav.page_file(view["page"]) or "pages/home_page.py", label="Open this view",
                 icon=":material/open_in_new:", query_params=open_params({**view, "view_id": view_id}))
    c2.code(sharing.page_link("views", params=[("v", view_id)]), language=None)
    with st.form(f"sv_edit_{view_id}", border=True):
        name = st.text_input("Name", value=view["name"], max_chars=sv.NAME_MAX)
        note = st.text_area("Note", value=view["note"], max_chars=sv.NOTE_MAX)
        if st.form_submit_button("Save changes", icon=":material/save:"):
            try:
                sv.update_view(wh, view_id, name=name, note=note)
            except (sv.ViewError, LookupError) as err:
                st.error(str(err), icon=":material/error:")
            else:
                st.rerun()
    with st.popover("Delete", icon=":material/delete:"):
        st.caption(f"Delete “{view['name']}” for everyone? Its short link will stop working.")
        if st.button(f"Delete “{view['name']}”", key="sv_delete", type="primary"):
            sv.delete_view(wh, view_id)
            st.rerun()


def save_form(url_path: str) -> None:
    """Inside the Share box: save the current view under a name."""
    with st.form("sv_save", border=False):
        name = st.text_input("Save this view as", max_chars=sv.NAME_MAX, placeholder="e.g. Monday KPIs")
        note = st.text_input("Note (optional)", max_chars=sv.NOTE_MAX)
        if st.form_submit_button("Save this view", icon=":material/bookmark_add:"):
            params = [(k, v) for k in st.query_params for v in st.query_params.get_all(k) if k != shell.DV]
            try:
                view_id = sv.save_view(shell.live_warehouse(), name=name, note=note, page=url_path, params=params,
                                       data_version=shell.data_version())
            except sv.ViewError as err:
                st.error(str(err), icon=":material/error:")
                return
            st.success(f"Saved “{name.strip()}”. Short link:", icon=":material/bookmark_added:")
            st.code(sharing.page_link("views", params=[("v", view_id)]), language=None)

"""Every key the app keeps in the address bar, declared once, per page.

Streamlit names a URL-bound widget's query parameter after its key, and hands a keyed widget's value to
the next page's widget of the same key: two pages using one key for different things collide (the
`grain` and `metric` fixes were two such). So each page declares its keys here, and
tests/test_url_keys.py reads every lib/ui module and fails when one uses a key its page did not declare,
when two pages declare the same key, or when a declared key is no longer used.

    APP      keys every page reads: the data version, meeting mode, an embedded frame
    SHARED   the controls of lib.ui.widgets.controls, the same meaning on every page that shows them
             (range, from, to and channel also follow the user from page to page: shell.SHARED)
    PAGES    {page url path (lib.ui.app.nav.PAGES): the keys only that page uses}
    MODULES  {lib.ui module (dotted, under lib.ui): the page whose keys it uses; APP_OWNER / SHARED_OWNER}
    collisions(pages, shared, app) -> ["key: page, page", ...]   ([] when every key has one owner)
"""
from __future__ import annotations

from collections import defaultdict

__all__ = ["APP", "SHARED", "PAGES", "MODULES", "APP_OWNER", "SHARED_OWNER", "collisions", "allowed"]

APP = ("dv", "meeting", "frame")
SHARED = ("range", "from", "to", "channel", "compare", "grain")
PAGES: dict[str, tuple[str, ...]] = {
    "overview": ("trend", "wc_by", "anom"),
    "funnel": ("steps", "unit", "window", "order", "by", "seg", "ttc", "ttc_from", "aud", "aud_consent"),
    "cohorts": ("cby", "cgrain", "cmetric", "cmode", "cval"),
    "marketing": ("mby",),
    "explore": ("metric", "dim", "category", "top", "xgrain"),
    "forecast": ("level", "item", "fgrain", "h", "model"),
    "replenishment": ("sl", "sla", "slb", "slc", "review", "delay", "uplift", "budget", "sup", "abc", "only",
                      "rgrain", "rmonths", "sku", "scenario"),
    "pricing": ("tab", "ph_days", "ph_tol", "ph_margin", "ph_check", "el_cat", "sc", "spec", "cmp"),
    "data": ("src", "scale", "seed", "preview"),
    "views": ("v",),
    "notebooks": ("nb",),
}
APP_OWNER, SHARED_OWNER = "(every page)", "(shared controls)"
MODULES = {
    "app.shell": APP_OWNER, "app.sharing": APP_OWNER, "widgets.controls": SHARED_OWNER,
    "overview.view": "overview", "overview.change": "overview", "funnel.view": "funnel", "funnel.parts": "funnel",
    "cohorts.view": "cohorts", "marketing.view": "marketing",
    "explore.view": "explore", "forecast.view": "forecast", "replenish.view": "replenishment",
    "replenish.parts": "replenishment", "pricing.view": "pricing", "pricing.analysis": "pricing",
    "pricing.scenarios": "pricing", "data.view": "data", "views.view": "views", "notebooks.view": "notebooks",
}


def collisions(pages: dict[str, tuple[str, ...]] = PAGES, shared: tuple[str, ...] = SHARED,
               app: tuple[str, ...] = APP) -> list[str]:
    """'key: owner, owner' for every key declared by more than one owner (a page, SHARED or APP)."""
    owners: dict[str, list[str]] = defaultdict(list)
    for owner, keys in [(APP_OWNER, app), (SHARED_OWNER, shared), *pages.items()]:
        for k in keys:              # a key listed twice by one owner counts too
            owners[k].append(owner)
    return [f"{k}: {', '.join(o)}" for k, o in sorted(owners.items()) if len(o) > 1]


def allowed(owner: str) -> tuple[str, ...]:
    """The keys a module of ``owner`` may use: its page's own, the shared controls' and the app's."""
    own = PAGES.get(owner, ())
    return (*own, *SHARED, *APP)

// Shopcast: one browser history entry per page, whatever the server says about the query string.
//
// Streamlit 1.67's frontend pushes a history entry for every query-string message of the server
// (handlePageInfoChanged -> history.pushState under the path shown at that moment). On a page switch
// the server sends such messages before the new page's path is pushed (it clears the old page's
// widget-bound keys, the app carries the shared ones), so the page left got entries like "/overview"
// (no parameters: a view never shown) and Back landed there.
//
// Rule: a push to the path already shown is not a new place. While a switch to another page is under
// way (a navigation link was clicked), it belongs to the page being opened, whose own entry is pushed
// next with the query as it stands then: drop it. Otherwise it updates the current entry in place:
// replace. Pushes to another path (page switches) are untouched; Back/Forward already replace.
(() => {
  if (window.__shopcastHistory) return;
  window.__shopcastHistory = true;
  const push = window.history.pushState.bind(window.history);
  const replace = window.history.replaceState.bind(window.history);
  let switching = 0;                                   // time a link to another page was clicked
  const NAV = '[data-testid="stSidebarNav"] a[href], [data-testid="stPageLink"] a[href], a[data-testid="stPageLink-NavLink"]';
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest(NAV) : null;
    if (!link) return;
    const to = new URL(link.href, window.location.href);
    if (to.pathname !== window.location.pathname) switching = Date.now();
  }, true);
  window.history.pushState = function (state, title, url) {
    const to = new URL(url, window.location.href);
    if (to.pathname !== window.location.pathname) {
      switching = 0;
      return push(state, title, url);
    }
    if (switching && Date.now() - switching < 30000) return undefined;
    return replace(state, title, url);
  };
})();

// Shopcast: a date typed into a date field applies on Enter and on Tab.
//
// Streamlit 1.67's st.date_input (a react-aria DateField: year / month / day segments) sends a typed
// date to the server only when the whole field loses focus or its calendar closes. Enter does nothing,
// and Tab from the last segment moves to the field's own calendar button, still inside the field: the
// date shown is not the date used, and a person who typed a date and pressed Enter or Tab reads the
// old range's numbers under the new date.
//
// Enter in a segment leaves the field for the page around it (the field commits when focus moves out of
// it, as after a click elsewhere; a plain blur with the calendar open does not count); Tab from
// the last segment goes on to the next control after the date field, so the field commits too
// (Shift+Tab and Tab between segments are untouched; the calendar button is still one click or
// Alt+ArrowDown away).
(() => {
  if (window.__shopcastDateKeys) return;
  window.__shopcastDateKeys = true;
  const FIELD = '[data-testid="stDateInputField"]';
  const SEGMENT = '[role="spinbutton"]';
  const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select, textarea, ' +
    '[tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

  function nextFocusable(widget) {
    const all = Array.from(document.querySelectorAll(FOCUSABLE));
    return all.find((el) => !widget.contains(el) && el.tabIndex >= 0 && el.offsetParent !== null
      && (widget.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING));
  }

  document.addEventListener("keydown", (event) => {
    const seg = event.target instanceof Element ? event.target.closest(SEGMENT) : null;
    const field = seg ? seg.closest(FIELD) : null;
    if (!field || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Enter") {
      event.preventDefault();
      event.stopPropagation();
      const around = field.closest('[data-testid="stMain"], [data-testid="stSidebar"]');
      if (around && around.tabIndex < 0) around.tabIndex = -1;       // focusable from script, not by Tab
      if (around) around.focus({preventScroll: true}); else seg.blur();
      return;
    }
    if (event.key !== "Tab" || event.shiftKey) return;
    const segments = Array.from(field.querySelectorAll(SEGMENT));
    if (segments[segments.length - 1] !== seg) return;
    const widget = field.closest('[data-testid="stDateInput"]') || field;
    const next = nextFocusable(widget);
    event.preventDefault();
    event.stopPropagation();
    if (next) next.focus(); else seg.blur();
  }, true);
})();

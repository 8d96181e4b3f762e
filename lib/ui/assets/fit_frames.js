// Shopcast: embedded views (same-origin st.iframe of a page in meeting mode) take the height of their
// content, so a notebook shows each view whole (no cut-off tiles, no scrollbar inside the page).
// Runs in the notebook page; checks twice a second because an embedded page draws progressively.
(() => {
  if (window.__shopcastFitFrames) return;
  window.__shopcastFitFrames = true;
  const EXTRA = 24;                                   // px under the content: no inner scrollbar
  const fit = () => {
    for (const frame of document.querySelectorAll('[data-testid="stMain"] iframe')) {
      let doc = null;
      try { doc = frame.contentDocument; } catch (e) { continue; }      // another origin: leave it
      const body = doc && doc.querySelector('[data-testid="stMainBlockContainer"]');
      if (!body) continue;
      const want = Math.ceil(body.getBoundingClientRect().height) + EXTRA;
      if (Math.abs(frame.getBoundingClientRect().height - want) < 4) continue;
      frame.style.height = want + "px";
      frame.setAttribute("height", String(want));
      const box = frame.closest('[data-testid="stElementContainer"]') || frame.parentElement;
      if (box) { box.style.height = "auto"; box.style.maxHeight = "none"; }
      frame.dataset.shopcastFitted = String(want);
    }
  };
  setInterval(fit, 500);
})();

"""Load benchmark: N concurrent sessions clicking through the app on the demo store.

    .venv/bin/python bench/load.py [--sessions 20] [--browsers 20] [--seconds 60] [--think 2] [--seed 7]
                                   [--cold] [--config run|team1|team2 | --compare | --url URL [--replicas N]]
                                   [--port 0] [--animations false] [--headful false]

What it runs against (issue 16): `--config run` (default) one app process over the DuckDB store, as
`make run`; `team1`/`team2` `make team`'s supervisor (lib.ops.team) with 1 or 2 replicas behind nginx over
the same store loaded into the benchmark's own PostgreSQL cluster; `--compare` all three one after the
other with the same sessions and seed, then a table and the throughput ratios; `--url` a server or proxy
already running (nothing started, its CPU and memory not measured; `--replicas N` spreads the sessions
over a team's replicas by their affinity cookie, as the proxy would spread users). Behind a team the
sessions are spread evenly the same way (session k on replica k % N + 1).

Every step that did not finish within the step limit (30 s) is listed as an error AND counted at the
limit in p50/p95/p99/max ("t/o" column), so a timeout can only make a percentile worse.

Data (built once, cached under data/bench/load-demo-<params>/): the demo store (seed 7, scale 1,
traffic 1, as of 2026-11-26) loaded with lib.ingest.load_demo into that directory's own warehouse
before the server starts (DuckDB has one writer: the server then owns the file). The script starts
its own server (`python -m lib.ui.app.serve`, SHOPCAST_DATA_DIR = that directory) on a free port.

Warm-up (not measured): one browser session opens every page and steps its control through every
value the load uses, so the server's caches (per data version) hold what the sessions will ask for;
it records the page's link after each step. `--cold`: the warm-up only opens each page; the browsers
then meet their control values for the first time during the run, and every wire session's change is a
link nobody asked for before (bench/load_team.cold_query: a random custom date range of 7-180 days on the
dated pages, another service level on Replenishment, one SKU of the store by day, week or month on
Forecast; Pricing and Home replay recorded links).

Then --sessions sessions loop over the sidebar pages for --seconds: open the page ("open"), change
one control ("change"), wait until it has re-rendered. --browsers of them (default: all) are
chromium pages (one browser, one context each) driven through the sidebar and the controls. The
others are wire sessions (bench/load_wire.py): Streamlit's WebSocket protocol without a browser,
replaying the links the warm-up recorded, so the server does the same work for them (script run,
caches, serialising and sending every element) while no renderer takes the server's CPU; the server
cannot tell a wire session from a browser. On this 2-core machine 20 chromium renderers take most
of the CPU from the server, so `--browsers 5` (5 browsers + 15 wire sessions) measures what a
server whose users' browsers run on their own machines would show.

Between two actions a session pauses like a person reading the result: uniform in
[think/2, 3*think/2] seconds (seeded by --seed and the session number; --think 0: no pause, a
stress test). The load browsers turn CSS animations and transitions off (skeleton shimmer,
spinners, fades cost the shared cores CPU); --animations true keeps them.

"Rendered" is judged in the page: a new script run has finished (a ForwardMsg script_finished
with a success status, read off the app's WebSocket by an init script), and no element is stale,
no skeleton or spinner is shown, the status widget is gone and every Vega chart has drawn. The
time is taken in the page, from the user's last click/keypress to that moment (50 ms polling).
Errors: st.exception boxes, "Page not found", uncaught page errors, console errors, and steps
not rendered within 30 s. Exit code 1 if any error.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_team import Servers, cold_query  # noqa: E402 - bench/ is on the path above
from load_wire import WireSession  # noqa: E402

from lib.ops.nginx import AFFINITY_COOKIE  # noqa: E402

CACHE = ROOT / "data" / "bench"
AS_OF = date(2026, 11, 26)
SEED, SCALE, TRAFFIC = 7, 1.0, 1.0
CHROMIUM = "/usr/bin/chromium"
STEP_TIMEOUT = 30_000
NO_MOTION_JS = """(() => {
  const css = '*, *::before, *::after { animation: none !important; transition: none !important; }';
  const add = () => { const s = document.createElement('style'); s.textContent = css; document.head.appendChild(s); };
  if (document.head) add(); else addEventListener('DOMContentLoaded', add);
})();"""
VIEWPORT = {"width": 1400, "height": 1000}

# counts successful script runs off the app's WebSocket; notes the time of the last user input
INIT_JS = """(() => {
  const st = window.__lt = {finished: 0, input: performance.now()};
  for (const ev of ['click', 'keydown']) addEventListener(ev, () => { st.input = performance.now(); }, true);
  const varint = (b, i) => { let v = 0, s = 0, x; do { x = b[i++]; v += (x & 0x7f) * 2 ** s; s += 7; }
                             while (x & 0x80); return [v, i]; };
  const scriptFinished = (buf) => {            // top-level ForwardMsg fields: 6 = script_finished (enum)
    const b = new Uint8Array(buf); let i = 0, t, v;
    while (i < b.length) {
      [t, i] = varint(b, i);
      if ((t & 7) === 0) { [v, i] = varint(b, i); if (t >> 3 === 6) return v; }
      else if ((t & 7) === 2) { [v, i] = varint(b, i); i += v; }
      else if ((t & 7) === 1) i += 8; else if ((t & 7) === 5) i += 4; else return -1;
    }
    return -1;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (e) => {
        if (e.data instanceof ArrayBuffer && e.data.byteLength < 256) {
          const s = scriptFinished(e.data);
          if (s === 0 || s === 3) st.finished += 1;   // FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_...
        }
      });
    }
  };
})();"""
RENDERED_JS = """(n) => {
  const st = window.__lt;
  if (st.finished <= n) return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"], [data-testid="stSpinner"], '
                             + '[data-testid="stStatusWidget"]')) return false;
  for (const c of document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
    if (c.checkVisibility() && !c.querySelector('canvas, svg')) return false;   // a hidden tab's never draws
  return {ms: performance.now() - st.input,
          exceptions: document.querySelectorAll('[data-testid="stException"]').length,
          notFound: document.body.innerText.includes('Page not found')};
}"""


# ------------------------------------------------------------------------------ the pages and their controls

async def select(page, label: str, options: list[str], i: int) -> str:
    box = page.locator(f'[data-testid="stMain"] input[aria-label="{label}"]').first
    cur = await box.input_value()
    pick = [o for o in options if o != cur][i % (len(options) - 1)]
    await box.click()
    await page.get_by_role("option", name=pick, exact=True).click()
    return pick


async def segmented(page, options: list[str], i: int) -> str:
    radios = [page.get_by_role("radio", name=o, exact=True) for o in options]
    free = [(o, r) for o, r in zip(options, radios, strict=True) if await r.get_attribute("aria-checked") != "true"]
    pick, radio = free[i % len(free)]
    await radio.click()
    return pick


async def slider_key(page, label: str, i: int) -> str:
    thumb = page.locator('[data-testid="stSlider"]', has_text=label).locator('input[type="range"]').first
    key = "ArrowRight" if float(await thumb.input_value()) < 95.25 else "ArrowLeft"   # 95 <-> 95.5, both warmed
    await thumb.focus()
    await page.keyboard.press(key)
    return key


async def tab(page, names: list[str], i: int) -> str:
    free = [n for n in names if await page.get_by_role("tab", name=n, exact=True).get_attribute("aria-selected")
            != "true"]
    pick = free[i % len(free)]
    await page.get_by_role("tab", name=pick, exact=True).click()
    return pick

PERIODS = ["Last 7 days", "Last 30 days", "Last 90 days", "This month"]
PRICING_TABS = ["Scenario builder", "Pricing health", "Elasticities", "Promotions"]
# sidebar title -> (control change, number of distinct values it cycles through: the warm-up visits each)
PAGES = {
    "Overview": (lambda p, i: select(p, "Date range", PERIODS, i), 4),
    "Funnel": (lambda p, i: segmented(p, ["Session", "User"], i), 2),
    "Cohorts": (lambda p, i: select(p, "Metric", ["Customers", "Orders", "Revenue"], i), 3),
    "Explore": (lambda p, i: select(p, "Split by", ["Channel", "Category", "Supplier"], i), 3),
    "Forecast": (lambda p, i: segmented(p, ["day", "week"], i), 2),
    "Replenishment": (lambda p, i: slider_key(p, "Service level", i), 2),
    "Pricing & promos": (lambda p, i: tab(p, PRICING_TABS, i), 4),
    "Home": (None, 0),                                          # no control: the page open is the step
}


# ------------------------------------------------------------------------------ one browser session

class Session:
    def __init__(self, ctx, name: str, results: list, errors: list, think: float = 0.0, seed: int = 0):
        self.ctx, self.name, self.results, self.errors = ctx, name, results, errors
        self.where = "start"
        self.think, self.rng = think, random.Random(seed)
        self.links: dict[str, list[str]] | None = None      # title -> the page's links, when recording

    async def pause(self) -> None:
        """A person reading the result before the next action."""
        if self.think > 0:
            await asyncio.sleep(self.rng.uniform(self.think / 2, 1.5 * self.think))

    async def open(self, url: str) -> None:
        self.url = url
        self.page = await self.ctx.new_page()
        self.page.on("pageerror", lambda e: self.errors.append((self.where, "pageerror", str(e)[:160])))
        self.page.on("console", self.console)
        n = await self.finished()
        await self.page.goto(url)
        await self.rendered(n, timeout=180_000)

    def console(self, m) -> None:
        if m.type == "error":       # offline: the Material icons chromium fetches from fonts.gstatic.com
            kind = "offline: external resource" if "ERR_NAME_NOT_RESOLVED" in m.text else "console error"
            self.errors.append((self.where, kind, f"{m.text[:100]} {m.location.get('url', '')[:80]}"))

    async def finished(self) -> int:
        try:
            return await self.page.evaluate("() => window.__lt ? window.__lt.finished : 0")
        except Exception:                                           # noqa: BLE001 - mid-navigation
            return 0

    async def rendered(self, n: int, timeout: float = STEP_TIMEOUT) -> dict:
        handle = await self.page.wait_for_function(RENDERED_JS, arg=n, polling=50, timeout=timeout)
        return await handle.json_value()

    async def step(self, action: str, do, timeout: float = STEP_TIMEOUT) -> None:
        """Run one user action and record (page, action, seconds) or an error."""
        try:
            n = await self.finished()
            await do()
            r = await self.rendered(n, timeout)
        except Exception as e:                                      # noqa: BLE001 - a timeout or a lost element
            kind = "timeout" if "Timeout" in type(e).__name__ else type(e).__name__
            self.errors.append((self.where, f"{action}: {kind}", str(e).splitlines()[0][:160]))
            if kind == "timeout":                                   # counted at the limit in every percentile
                self.results.append((self.where, action, timeout / 1000, True))
            try:                                                    # start over from the home page
                await self.page.goto(self.url)
                await self.rendered(0, timeout=120_000)
            except Exception as e2:                                 # noqa: BLE001
                self.errors.append((self.where, "reload failed", str(e2).splitlines()[0][:160]))
            return
        if r["exceptions"] or r["notFound"]:
            self.errors.append((self.where, f"{action}: {'st.exception' if r['exceptions'] else 'page not found'}",
                                ""))
        self.results.append((self.where, action, r["ms"] / 1000, False))
        if self.links is not None:
            self.links.setdefault(self.where, []).append(self.page.url)
        await self.pause()

    async def visit(self, title: str, i: int, changes: int = 1, timeout: float = STEP_TIMEOUT) -> None:
        """Open a page from the sidebar, then change its control `changes` times (value i, i+1, ...)."""
        self.where = title
        nav = self.page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True)
        await self.step("open", nav.click, timeout)
        change = PAGES[title][0]
        for j in range(changes if change else 0):
            await self.step("change", lambda j=j: change(self.page, i + j), timeout)


async def run(url: str, sessions: int, seconds: float, headless: bool, think: float = 0.0, seed: int = 7,
              animations: bool = False, browsers: int | None = None, cold: bool = False, replicas: int = 0,
              cpu=lambda: 0.0, skus: tuple[str, ...] = ()) -> dict:
    """Warm up, then `browsers` chromium sessions and sessions - browsers wire sessions for `seconds`.

    cold: the warm-up only opens each page; the browsers' control values are then met for the first time
    during the run, and every wire session's change asks for a link nobody asked for before (load_team.
    cold_query: a random custom date range, another service level, a SKU of `skus` on Forecast). replicas: behind the team's proxy,
    session k is put on replica k % replicas + 1 (its affinity cookie), as an even spread of users would be.
    """
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=headless,
                                           args=["--no-sandbox", "--disable-gpu", "--no-first-run"])

        async def new_session(name, results, errors, k=0, pause=0.0):
            ctx = await browser.new_context(viewport=VIEWPORT, reduced_motion="no-preference" if animations
                                            else "reduce")
            if replicas:
                await ctx.add_cookies([{"name": AFFINITY_COOKIE, "value": f"r{k % replicas + 1}", "url": url}])
            await ctx.add_init_script(INIT_JS)
            if not animations:
                await ctx.add_init_script(NO_MOTION_JS)
            s = Session(ctx, name, results, errors, pause, seed * 1000 + k)
            await s.open(url)
            return s

        t = time.perf_counter()
        warm_errors: list = []
        links = None
        for k in range(max(1, replicas)):       # behind the proxy: every replica's caches (session k -> r(k+1))
            w = await new_session(f"warm-up r{k + 1}" if replicas else "warm-up", [], warm_errors, k)
            w.links = {}
            for title, (_, values) in PAGES.items():
                await w.visit(title, 0, changes=0 if cold else values, timeout=300_000)
            await w.ctx.close()
            links = links if links is not None else w.links
        out = {"warmup_s": time.perf_counter() - t, "warmup_errors": warm_errors}
        print(f"warm-up: {out['warmup_s']:.0f} s, {len(warm_errors)} errors", flush=True)

        results: list = []
        errors: list = []
        wire_results: list = []
        n_browsers = sessions if browsers is None else min(browsers, sessions)
        plan = wire_plan(url, links)
        t = time.perf_counter()
        group = await asyncio.gather(*(new_session(f"s{k}", results, errors, k, think) for k in range(n_browsers)),
                                     return_exceptions=True)
        live = [s for s in group if isinstance(s, Session)]
        errors += [("start", "session did not open", str(e)[:160]) for e in group if not isinstance(e, Session)]
        wires = [WireSession(url, f"w{k}", wire_results, errors, think, seed * 1000 + k,
                             cookie=f"{AFFINITY_COOKIE}=r{k % replicas + 1}" if replicas else None)
                 for k in range(n_browsers, sessions)]
        opened = await asyncio.gather(*(ws.open(120) for ws in wires), return_exceptions=True)
        errors += [("start", "wire session did not open", str(e)[:160]) for e in opened if isinstance(e, Exception)]
        wires = [ws for ws, e in zip(wires, opened, strict=True) if not isinstance(e, Exception)]
        out["open_s"] = time.perf_counter() - t
        print(f"{len(live)} sessions open in {out['open_s']:.1f} s; running {seconds:g} s …", flush=True)

        titles = list(PAGES)

        async def loop(k: int, s: Session) -> None:
            visit = 0
            while time.perf_counter() < deadline:
                await s.visit(titles[(k + visit) % len(titles)], visit // len(titles) + k)
                visit += 1

        async def wire_loop(k: int, ws: WireSession) -> None:
            visit = 0
            while time.perf_counter() < deadline:
                title = titles[(k + visit) % len(titles)]
                path, queries = plan[title]
                if cold:
                    queries = [queries[0], cold_query(title, queries[0], ws.rng, AS_OF, skus=skus)]
                await ws.visit(title, path, queries, visit // len(titles) + k, STEP_TIMEOUT / 1000)
                visit += 1

        cpu0, t0 = cpu(), time.perf_counter()
        deadline = t0 + seconds
        await asyncio.gather(*(loop(k, s) for k, s in enumerate(live)),
                             *(wire_loop(k, ws) for k, ws in enumerate(wires, start=len(live))))
        out.update(duration=time.perf_counter() - t0, cpu=cpu() - cpu0, sessions=len(live) + len(wires),
                   browsers=len(live), wires=len(wires), results=results, wire_results=wire_results, errors=errors)
        for ws in wires:
            await ws.close()
        await browser.close()
    return out


def wire_plan(url: str, links: dict[str, list[str]]) -> dict[str, tuple[str, list[str]]]:
    """title -> (url path, query strings) from the links the warm-up browser recorded."""
    root = urlsplit(url).path.rstrip("/")
    plan = {}
    for title, seen in links.items():
        parts = [urlsplit(u) for u in seen]
        path = parts[0].path[len(root):].strip("/")
        plan[title] = (path, [p.query for p in parts])
    return plan


# ------------------------------------------------------------------------------ data, server, report

def data_dir() -> Path:
    """The demo store in the benchmark's own warehouse, built once."""
    from lib.ingest import load_demo
    from lib.settings import Settings
    from lib.warehouse import Warehouse

    d = CACHE / f"load-demo-seed{SEED}-scale{SCALE:g}-traffic{TRAFFIC:g}-{AS_OF.isoformat()}"
    d.mkdir(parents=True, exist_ok=True)
    wh = Warehouse.open(settings=Settings(data_dir=d))
    if wh.is_empty():
        t = time.perf_counter()
        load_demo(wh, d, seed=SEED, scale=SCALE, as_of=AS_OF, traffic=TRAFFIC)
        print(f"built the benchmark store in {time.perf_counter() - t:.0f} s", flush=True)
    wh.dispose()
    return d


def store_skus(d: Path) -> tuple[str, ...]:
    """The SKUs of the benchmark store (cold sessions forecast ones nobody opened)."""
    from sqlalchemy import select

    from lib.settings import Settings
    from lib.warehouse import Warehouse
    from lib.warehouse.tables import FEED_TABLES

    wh = Warehouse.open(settings=Settings(data_dir=d))
    try:
        return tuple(sorted(wh.read(select(FEED_TABLES["products"].c.sku))["sku"].astype(str)))
    finally:
        wh.dispose()


def pct(xs: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q / 100 * len(xs) + 0.5) - 1))]


def line(name: str, rows: list[tuple]) -> str:
    """n, timeouts, p50/p95/p99/max over rows (where, action, seconds, timed_out): a timeout counts at the limit."""
    xs = [r[2] for r in rows]
    if not xs:
        return f"  {name:18s} {0:5d}"
    late = sum(bool(r[3]) for r in rows)
    return (f"  {name:18s} {len(xs):5d} {late:5d} {pct(xs, 50):7.2f} {pct(xs, 95):7.2f} {pct(xs, 99):7.2f} "
            f"{max(xs):7.2f}")


def summary(out: dict) -> dict:
    """The figures of one run for the comparison table: every step (browser and wire) together."""
    rows = out["results"] + out.get("wire_results", [])
    change = [r[2] for r in rows if r[1] == "change"]
    errs = [e for e in out["errors"] if not e[1].startswith("offline")]
    return {"steps_s": len(rows) / out["duration"], "n": len(rows), "timeouts": sum(bool(r[3]) for r in rows),
            "p50": pct(change, 50) if change else float("nan"), "p95": pct(change, 95) if change else float("nan"),
            "p99": pct(change, 99) if change else float("nan"), "errors": len(errs), "cpu": out["cpu"] / out["duration"]}


def report(out: dict, seconds: float, servers: Servers | None) -> int:
    res, dur = out["results"], out["duration"]
    offline = [e for e in out["errors"] + out["warmup_errors"] if e[1].startswith("offline")]
    errs = [e for e in out["errors"] if not e[1].startswith("offline")]
    out["warmup_errors"] = [e for e in out["warmup_errors"] if not e[1].startswith("offline")]
    wres = out.get("wire_results", [])
    print(f"\nsessions {out['sessions']} ({out.get('browsers', out['sessions'])} browsers, "
          f"{out.get('wires', 0)} wire), measured {dur:.1f} s (asked {seconds:g} s); browsers: {len(res)} "
          f"steps, {sum(r[1] == 'change' for r in res)} control changes; wire: {len(wres)} runs; "
          f"{(len(res) + len(wres)) / dur:.2f} steps/s in all")
    if servers is not None and servers.pids():
        n = len(servers.pids())
        print(f"app process{'es' if n > 1 else ''} ({n}): peak RSS {servers.memory('VmHWM') / 2**20:.0f} MiB in all, "
              f"CPU of the app and its database {out['cpu']:.0f} s over the run ({out['cpu'] / dur:.2f} cores); load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    else:
        print("server: not started by this script (--url): its CPU and memory are not measured here")
    hdr = f"  {'':18s} {'n':>5s} {'t/o':>5s} {'p50 s':>7s} {'p95 s':>7s} {'p99 s':>7s} {'max s':>7s}"
    blocks = [(res, "change", "browsers: control change -> rendered"),
              (res, "open", "browsers: sidebar page open -> rendered")]
    if wres:
        blocks += [(wres, "change", "wire: control change (link) -> run finished on the server"),
                   (wres, "open", "wire: page open -> run finished on the server")]
    print(f"(t/o: steps not finished within {STEP_TIMEOUT / 1000:.0f} s, counted at {STEP_TIMEOUT / 1000:.0f} s "
          "in every percentile)")
    for rows, action, label in blocks:
        xs = [r for r in rows if r[1] == action]
        print(f"\n{label}\n{hdr}\n" + line("all pages", xs))
        for title in PAGES:
            if any(r[0] == title for r in xs):
                print(line(title, [r for r in xs if r[0] == title]))
    print(f"\nerrors: {len(errs)}" + (f" (warm-up: {len(out['warmup_errors'])})" if out["warmup_errors"] else ""))
    for (where, kind), n in collections.Counter((w, k) for w, k, _ in errs + out["warmup_errors"]).most_common():
        sample = next(m for w, k, m in errs + out["warmup_errors"] if (w, k) == (where, kind))
        print(f"  {n:4d}  {where} / {kind}: {sample}")
    timeouts = [m for _, k, m in errs if k.endswith("timeout")]
    for m in timeouts[:12]:                      # each one: what the session received, and the link it asked for
        print(f"        timeout: {m}")
    if offline:
        print(f"  (not counted: {len(offline)} failed fetches of external resources, e.g. {offline[0][2]})")
    return 1 if errs or out["warmup_errors"] else 0


CONFIGS = {"run": ("make run: 1 process, DuckDB", 0), "team1": ("make team REPLICAS=1: PostgreSQL", 1),
           "team2": ("make team REPLICAS=2: PostgreSQL", 2)}


def one(args, config: str | None) -> tuple[int, dict]:
    """Start what `config` runs (None: use --url), run the sessions, report; (exit code, summary)."""
    servers, replicas, skus = None, 0, ()
    if config is None:
        url, replicas = args.url.rstrip("/"), args.replicas
    else:
        servers = Servers(data_dir(), CACHE, f"seed{SEED}-scale{SCALE:g}-traffic{TRAFFIC:g}-{AS_OF}", AS_OF)
        replicas = CONFIGS[config][1]
        skus = store_skus(servers.data_dir)
        url = servers.start_team(replicas, args.port) if replicas else servers.start_single(args.port)
        print(f"{CONFIGS[config][0]}: {url}", flush=True)
    try:
        print(f"{args.sessions} sessions ({min(args.browsers, args.sessions)} browsers), think {args.think:g} s "
              f"(seed {args.seed}), {'cold' if args.cold else 'warm'}, animations "
              f"{'on' if args.animations else 'off'}", flush=True)
        out = asyncio.run(run(url, args.sessions, args.seconds, headless=not args.headful, think=args.think,
                              seed=args.seed, animations=args.animations, browsers=args.browsers, cold=args.cold,
                              replicas=replicas, cpu=servers.cpu if servers else (lambda: 0.0), skus=skus))
        return report(out, args.seconds, servers), summary(out)
    finally:
        if servers is not None:
            servers.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=20, help="concurrent sessions in all")
    ap.add_argument("--browsers", type=int, default=20,
                    help="how many of them are chromium pages (the rest are wire sessions; default 20)")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--think", type=float, default=2.0,
                    help="mean pause in seconds between a session's actions (0: none, a stress test)")
    ap.add_argument("--seed", type=int, default=7, help="seed of the pauses and of the cold links")
    ap.add_argument("--cold", action="store_true",
                    help="the warm-up only opens the pages; sessions ask for values and links not seen before")
    ap.add_argument("--config", choices=sorted(CONFIGS), default="run",
                    help="what to start: run (one process over DuckDB), team1 / team2 (make team over PostgreSQL)")
    ap.add_argument("--compare", action="store_true",
                    help="run, team1 and team2 one after the other with the same sessions and seed; a table")
    ap.add_argument("--url", help="a running server or team proxy: start nothing (CPU/memory not measured)")
    ap.add_argument("--replicas", type=int, default=0,
                    help="with --url of a team: spread the sessions over this many replicas by their cookie")
    ap.add_argument("--animations", type=lambda v: v.lower() in ("1", "true", "yes"), default=False,
                    help="keep CSS animations in the load browsers (default: off)")
    ap.add_argument("--port", type=int, default=0, help="0: a free port")
    ap.add_argument("--headful", type=lambda v: v.lower() in ("1", "true", "yes"), default=False)
    args = ap.parse_args()
    if args.url:
        return one(args, None)[0]
    if not args.compare:
        return one(args, args.config)[0]
    rows, code = {}, 0
    for config in CONFIGS:
        print(f"\n===== {CONFIGS[config][0]} =====", flush=True)
        rc, rows[config] = one(args, config)
        code |= rc
    print(f"\ncomparison: {args.sessions} sessions ({min(args.browsers, args.sessions)} browsers), "
          f"{'cold' if args.cold else 'warm'}, {args.seconds:g} s each, seed {args.seed}; control change -> finished "
          "(browsers and wire together; a timeout counts at the limit)")
    print(f"  {'':36s} {'steps/s':>8s} {'p50 s':>7s} {'p95 s':>7s} {'p99 s':>7s} {'t/o':>5s} {'errors':>6s} "
          f"{'cores':>6s}  (cores: app processes and database server)")
    for config, r in rows.items():
        print(f"  {CONFIGS[config][0]:36s} {r['steps_s']:8.2f} {r['p50']:7.2f} {r['p95']:7.2f} {r['p99']:7.2f} "
              f"{r['timeouts']:5d} {r['errors']:6d} {r['cpu']:6.2f}")
    print(f"  throughput ratio team2 / run {rows['team2']['steps_s'] / rows['run']['steps_s']:.2f}, "
          f"team2 / team1 {rows['team2']['steps_s'] / rows['team1']['steps_s']:.2f}")
    return code


if __name__ == "__main__":
    sys.exit(main())

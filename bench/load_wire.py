"""Protocol-level sessions for bench/load.py: Streamlit's own WebSocket protocol, no browser.

A wire session is what the server sees of a browser tab: one WebSocket on /_stcore/stream, a
`rerun_script` BackMsg per page open or control change (page, query string), then the
ForwardMsgs of the run (deltas, navigation) up to `script_finished`. The server does the same
work as for a browser: the script runs, the caches are looked up, every element is serialised
and sent. Nothing is drawn: no chromium renderer competes with the server for the CPU.

Each step replays a query string a real browser produced during the warm-up (the page's link
after opening it, then after each control change), so a wire session asks for exactly what the
browser sessions ask for. The time is from sending the BackMsg to a successful `script_finished`
(a run the app restarts itself, e.g. after st.rerun, counts until the run that finishes).
Errors: an exception element, "page not found", a failed run, a lost connection, or no
successful run within the step timeout.
"""
from __future__ import annotations

import asyncio
import random
import time
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

__all__ = ["WireSession", "SUCCESS"]

SUCCESS = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


class WireSession:
    """One protocol-level session; results and errors go to the shared lists like a browser's."""

    def __init__(self, url: str, name: str, results: list, errors: list, think: float = 0.0, seed: int = 0,
                 cookie: str | None = None):
        self.url, self.name, self.results, self.errors = url, name, results, errors
        self.cookie = cookie                     # behind the team's proxy: the replica this session is on
        self.think, self.rng = think, random.Random(seed)
        self.where = "start"
        self.pages: dict[str, str] = {}          # url path ("" = home) -> page_script_hash
        self.ws = None

    async def open(self, timeout: float) -> None:
        parts = urlsplit(self.url)
        self.ws = await websockets.connect(f"ws://{parts.netloc}/_stcore/stream", subprotocols=["streamlit"],
                                           origin=f"{parts.scheme}://{parts.netloc}", max_size=None,
                                           open_timeout=timeout,
                                           additional_headers={"Cookie": self.cookie} if self.cookie else None)
        await self._run("", "", timeout)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def pause(self) -> None:
        if self.think > 0:
            await asyncio.sleep(self.rng.uniform(self.think / 2, 1.5 * self.think))

    async def _run(self, path: str, query: str, timeout: float) -> tuple[float, list[str]]:
        """Ask for one run of page `path` with `query`; (seconds to a successful finish, problems)."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.page_name = path
        if path in self.pages:
            state.page_script_hash = self.pages[path]
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        problems: list[str] = []
        want = self.pages.get(path)
        shown = None
        deadline = t0 + timeout
        seen: dict[str, int] = {}                # what came before a timeout, for its error line
        while True:
            left = deadline - time.perf_counter()
            try:
                if left <= 0:
                    raise TimeoutError
                raw = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError:
                got = ", ".join(f"{k} {n}" for k, n in seen.items()) or "nothing"
                raise TimeoutError(f"no finished run within {timeout:.0f} s (received: {got}; "
                                   f"/{path}?{query[:120]})") from None
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            label = f"finished {fwd.script_finished}" if kind == "script_finished" else kind
            seen[label] = seen.get(label, 0) + 1
            if kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
                shown = fwd.navigation.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element" \
                    and fwd.delta.new_element.WhichOneof("type") == "exception":
                problems.append("st.exception: " + fwd.delta.new_element.exception.message[:120])
            elif kind == "page_not_found":
                problems.append("page not found")
            elif kind == "script_finished":
                if fwd.script_finished in SUCCESS:
                    if want and shown != want:
                        problems.append(f"wrong page: asked for /{path}, the run showed another page")
                    return time.perf_counter() - t0, problems
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    problems.append("the script failed to compile")
                    return time.perf_counter() - t0, problems
                # FINISHED_EARLY_FOR_RERUN: the app reran itself; wait for that run

    async def step(self, action: str, path: str, query: str, timeout: float) -> None:
        try:
            secs, problems = await self._run(path, query, timeout)
        except Exception as e:                                      # noqa: BLE001 - timeout or lost socket
            kind = "timeout" if isinstance(e, TimeoutError) else type(e).__name__
            self.errors.append((self.where, f"{action}: {kind}", str(e)[:400]))
            if kind == "timeout":                                   # counted at the limit in every percentile
                self.results.append((self.where, action, timeout, True))
            try:                                                    # start over on a new connection
                await self.close()
                await self.open(120)
            except Exception as e2:                                 # noqa: BLE001
                self.errors.append((self.where, "reconnect failed", str(e2)[:160]))
            return
        for p in problems:
            self.errors.append((self.where, f"{action}: {p.split(':')[0]}", p))
        self.results.append((self.where, action, secs, False))
        await self.pause()

    async def visit(self, title: str, path: str, queries: list[str], i: int, timeout: float) -> None:
        """Open the page with its first recorded link, then one control change (the next links in turn)."""
        self.where = title
        await self.step("open", path, queries[0], timeout)
        if len(queries) > 1:
            await self.step("change", path, queries[1 + i % (len(queries) - 1)], timeout)

"""Optional access control, off unless configured (pure: no streamlit here; lib/ui/app/gate.py shows it).

Configured by one of:
- a shared password: env SHOPCAST_PASSWORD, or ``password`` under ``[shopcast]`` in
  .streamlit/secrets.toml; compared in constant time (hmac.compare_digest on SHA-256 digests, so the
  comparison takes the same time whatever the length or the first wrong character);
- Streamlit's built-in OpenID Connect login: an ``[auth]`` section in secrets.toml with
  ``client_id``, ``client_secret``, ``server_metadata_url``, ``redirect_uri`` and ``cookie_secret``
  (https://docs.streamlit.io: st.login). When both are set, OpenID Connect wins.
The password is never shown, logged, put in a URL or exported; ``AccessConfig`` hides it from repr.

Signed-in browsers (password mode) keep a token, never the password: ``v2.<id>.<issued>.<expires>.<sig>``,
a random id per sign-in, its issue and expiry times (checked on the server) and an HMAC-SHA256 under the
server secret (env SHOPCAST_SECRET or ``secret`` under ``[shopcast]``; without one, a random secret per
process, so a restart signs everyone out) of those fields and a fingerprint of the password: changing the
password or the secret revokes every token. Replicas behind one address need the same secret.

The token reaches the browser only as an HttpOnly cookie set by the server (``cookie_header``), never
through page JavaScript: after the right password the session puts the token in a ``Handoff`` under a
one-time nonce (random, NONCE_SECONDS to live); the page posts that nonce to the app's own route
(lib/ui/app/gate.py), which answers with ``Set-Cookie: shopcast_access=<token>; HttpOnly; SameSite=Strict;
Path=/`` (and ``Secure`` over https). "Lock" hands off an empty value the same way, which clears it.

Wrong passwords are slowed per client (``Backoff``): after the first wrong attempt the next one waits 1 s,
then 2, 4, ... up to BACKOFF_MAX seconds; a right one clears it. A failure is logged with a hash of the
client, never the attempt.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets as _secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from lib.settings import load_secrets

__all__ = ["AccessConfig", "access_config", "password_ok", "OIDC_KEYS", "server_secret", "issue_token",
           "token_ok", "Backoff", "TOKEN_SECONDS", "BACKOFF_MAX", "COOKIE", "NONCE_SECONDS", "Handoff",
           "cookie_header"]

TOKEN_SECONDS = 12 * 3600      # a signed-in browser stays in for 12 hours
BACKOFF_MAX = 30.0             # seconds: the longest wait between two wrong passwords of one client
COOKIE = "shopcast_access"     # the browser's cookie holding its token
NONCE_SECONDS = 60             # a hand-off nonce lives a minute: the page posts it as soon as it is drawn
_PROCESS_SECRET = _secrets.token_hex(32)

OIDC_KEYS = ("client_id", "client_secret", "server_metadata_url", "redirect_uri", "cookie_secret")


@dataclass(frozen=True)
class AccessConfig:
    password: str | None = field(default=None, repr=False)
    oidc: bool = False

    @property
    def enabled(self) -> bool:
        return self.oidc or bool(self.password)

    @property
    def method(self) -> str:
        return "oidc" if self.oidc else "password" if self.password else "none"


def access_config(env: Mapping[str, str] | None = None, secrets: Mapping | None = None) -> AccessConfig:
    env = os.environ if env is None else env
    secrets = load_secrets() if secrets is None else secrets
    shop = secrets.get("shopcast", {}) if isinstance(secrets.get("shopcast"), Mapping) else {}
    auth = secrets.get("auth", {}) if isinstance(secrets.get("auth"), Mapping) else {}
    password = env.get("SHOPCAST_PASSWORD") or shop.get("password") or None
    oidc = all(auth.get(k) for k in OIDC_KEYS)
    return AccessConfig(password=str(password) if password else None, oidc=oidc)


def password_ok(given: str | None, expected: str | None) -> bool:
    """True when ``given`` equals ``expected``, compared in constant time; never True without a password."""
    if not expected or given is None:
        return False
    a = hashlib.sha256(str(given).encode()).digest()
    b = hashlib.sha256(str(expected).encode()).digest()
    return hmac.compare_digest(a, b)


def server_secret(env: Mapping[str, str] | None = None, secrets: Mapping | None = None) -> str:
    """The key tokens are signed with: SHOPCAST_SECRET, else ``secret`` under ``[shopcast]``, else this
    process's own random one."""
    env = os.environ if env is None else env
    secrets = load_secrets() if secrets is None else secrets
    shop = secrets.get("shopcast", {}) if isinstance(secrets.get("shopcast"), Mapping) else {}
    return str(env.get("SHOPCAST_SECRET") or shop.get("secret") or _PROCESS_SECRET)


def _signature(secret: str, password: str, body: str) -> str:
    fingerprint = hashlib.sha256(str(password).encode()).hexdigest()
    return hmac.new(secret.encode(), f"{body}|{fingerprint}".encode(), hashlib.sha256).hexdigest()


def issue_token(secret: str, password: str, now: float, seconds: int = TOKEN_SECONDS,
                token_id: str | None = None) -> str:
    """A signed token for one browser: v2.<id>.<issued>.<expires>.<signature> (times in whole seconds)."""
    tid = token_id or _secrets.token_hex(8)
    body = f"v2.{tid}.{int(now)}.{int(now) + int(seconds)}"
    return f"{body}.{_signature(secret, password, body)}"


def token_ok(token: str | None, secret: str, password: str | None, now: float) -> bool:
    """True when ``token`` was issued under this secret and password, is not expired and not from the future."""
    if not token or not password:
        return False
    parts = str(token).split(".")
    if len(parts) != 5 or parts[0] != "v2":
        return False
    try:
        issued, expires = int(parts[2]), int(parts[3])
    except ValueError:
        return False
    body = ".".join(parts[:4])
    good = hmac.compare_digest(parts[4], _signature(secret, password, body))
    return good and issued <= now + 60 and now < expires      # a minute of clock skew between replicas


class Backoff:
    """Wrong-password throttle per client: wait(client, now) is how many seconds it must still wait;
    failed() records a wrong attempt (doubling the wait, at most BACKOFF_MAX), passed() clears it."""

    def __init__(self, base: float = 1.0, cap: float = BACKOFF_MAX):
        self.base, self.cap = base, cap
        self._state: dict[str, tuple[int, float]] = {}       # client -> (failures, not before)
        self._lock = threading.Lock()

    def wait(self, client: str, now: float) -> float:
        with self._lock:
            _, until = self._state.get(client, (0, 0.0))
        return max(0.0, until - now)

    def failed(self, client: str, now: float) -> float:
        """Record a wrong attempt; returns the wait before the next one."""
        with self._lock:
            n, _ = self._state.get(client, (0, 0.0))
            delay = min(self.cap, self.base * 2 ** n)
            self._state[client] = (n + 1, now + delay)
        return delay

    def passed(self, client: str) -> None:
        with self._lock:
            self._state.pop(client, None)


class Handoff:
    """One-time nonces for the values the server puts in the cookie: issue(value, max_age, now) keeps the
    value under a fresh random nonce for NONCE_SECONDS; redeem(nonce, now) gives (value, max_age) once,
    then never again (None when unknown, used or expired). Expired nonces are dropped on each call."""

    def __init__(self, seconds: float = NONCE_SECONDS):
        self.seconds = seconds
        self._items: dict[str, tuple[str, int, float]] = {}     # nonce -> (value, max_age, expires)
        self._lock = threading.Lock()

    def _drop_expired(self, now: float) -> None:
        for nonce in [n for n, (_, _, until) in self._items.items() if until <= now]:
            del self._items[nonce]

    def issue(self, value: str, max_age: int, now: float) -> str:
        nonce = _secrets.token_urlsafe(24)
        with self._lock:
            self._drop_expired(now)
            self._items[nonce] = (str(value), int(max_age), now + self.seconds)
        return nonce

    def redeem(self, nonce: str | None, now: float) -> tuple[str, int] | None:
        with self._lock:
            self._drop_expired(now)
            item = self._items.pop(str(nonce or ""), None)
        return None if item is None else (item[0], item[1])

    def __len__(self) -> int:
        return len(self._items)


def cookie_header(value: str, max_age: int, secure: bool, name: str = COOKIE) -> str:
    """The Set-Cookie value keeping ``value`` in the browser: HttpOnly (out of reach of page JavaScript),
    SameSite=Strict (not sent with requests started by other sites), Path=/ (every page and embedded view
    of the app), Secure over https; max_age 0 with an empty value clears it. Tokens and nonces are
    [A-Za-z0-9._-]; anything else is refused rather than written into a header."""
    value = str(value)
    if any(not (c.isascii() and (c.isalnum() or c in "._-")) for c in value):
        raise ValueError("a cookie value must be letters, digits, '.', '_' or '-'")
    parts = [f"{name}={value}", f"Max-Age={max(0, int(max_age))}", "Path=/", "HttpOnly", "SameSite=Strict"]
    return "; ".join(parts + (["Secure"] if secure else []))

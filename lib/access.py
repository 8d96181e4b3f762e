"""Optional access control, off unless configured (pure: no streamlit here; lib/ui/app/gate.py shows it).

Configured by one of:
- a shared password: env SHOPCAST_PASSWORD, or ``password`` under ``[shopcast]`` in
  .streamlit/secrets.toml; compared in constant time (hmac.compare_digest on SHA-256 digests, so the
  comparison takes the same time whatever the length or the first wrong character);
- Streamlit's built-in OpenID Connect login: an ``[auth]`` section in secrets.toml with
  ``client_id``, ``client_secret``, ``server_metadata_url``, ``redirect_uri`` and ``cookie_secret``
  (https://docs.streamlit.io: st.login). When both are set, OpenID Connect wins.
The password is never shown, logged, put in a URL or exported; ``AccessConfig`` hides it from repr.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from lib.settings import load_secrets

__all__ = ["AccessConfig", "access_config", "password_ok", "OIDC_KEYS"]

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

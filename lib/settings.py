"""Settings in one place: one frozen dataclass filled from the environment and secrets.toml.

Nothing here is displayed: `warehouse_url` may hold a password. Use `Settings.describe()` for a
safe summary.
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PROJECT_ROOT", "Settings", "load_secrets", "get_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def load_secrets(path: Path | None = None) -> dict:
    """The parsed `.streamlit/secrets.toml` (empty dict when absent or unreadable)."""
    path = path or PROJECT_ROOT / ".streamlit" / "secrets.toml"
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


@dataclass(frozen=True)
class Settings:
    """Application settings. `warehouse_url` None means the DuckDB file under `data_dir`."""

    warehouse_url: str | None = field(default=None, repr=False)
    data_dir: Path = PROJECT_ROOT / "data"
    store_timezone: str = "America/New_York"
    currency: str = "USD"
    dayfirst: bool = False          # how to read ambiguous dates like 03/04/2025
    data_versions_kept: int = 5
    replica: str | None = None      # team mode: this app process's name behind the proxy (lib.ops.team)

    @property
    def duckdb_path(self) -> Path:
        return self.data_dir / "shopcast.duckdb"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, secrets: Mapping | None = None) -> Settings:
        """Environment first, then `[shopcast]` and `DATABASE_URL` in secrets.toml, then defaults."""
        env = os.environ if env is None else env
        secrets = load_secrets() if secrets is None else secrets
        sec = secrets.get("shopcast", {}) if isinstance(secrets.get("shopcast", {}), Mapping) else {}

        def pick(env_key: str, sec_key: str, default):
            if env.get(env_key):
                return env[env_key]
            if sec.get(sec_key) not in (None, ""):
                return sec[sec_key]
            return default

        url = env.get("DATABASE_URL") or secrets.get("DATABASE_URL") or sec.get("database_url") or None
        return cls(
            warehouse_url=url,
            data_dir=Path(pick("SHOPCAST_DATA_DIR", "data_dir", PROJECT_ROOT / "data")),
            store_timezone=str(pick("SHOPCAST_TIMEZONE", "timezone", cls.store_timezone)),
            currency=str(pick("SHOPCAST_CURRENCY", "currency", cls.currency)),
            dayfirst=str(pick("SHOPCAST_DAYFIRST", "dayfirst", "false")).lower() in ("1", "true", "yes"),
            data_versions_kept=int(pick("SHOPCAST_VERSIONS_KEPT", "data_versions_kept", 5)),
            replica=env.get("SHOPCAST_REPLICA") or None,
        )


def get_settings() -> Settings:
    """Settings for this process (environment and secrets read at call time)."""
    return Settings.from_env()

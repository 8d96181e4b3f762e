"""Shopcast library: everything testable without Streamlit (only lib.ui imports streamlit)."""

_PLANNED = {"funnel", "cohorts", "forecast", "replenish", "pricing"}


def __getattr__(name: str):
    # `from lib import funnel` before that module exists says "not built yet" plainly.
    if name in _PLANNED:
        raise ModuleNotFoundError(f"lib.{name} is not built yet", name=f"lib.{name}")
    raise AttributeError(f"module 'lib' has no attribute {name!r}")

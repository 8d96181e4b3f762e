"""Shopcast library: everything testable without Streamlit (only lib.ui imports streamlit)."""
import importlib
import importlib.util

_PLANNED = {"funnel", "cohorts", "forecast", "replenish", "pricing"}


def __getattr__(name: str):
    # `from lib import forecast` before that module exists says "not built yet" plainly.
    if name in _PLANNED:
        if importlib.util.find_spec(f"lib.{name}") is not None:
            return importlib.import_module(f"lib.{name}")
        raise ModuleNotFoundError(f"lib.{name} is not built yet", name=f"lib.{name}")
    raise AttributeError(f"module 'lib' has no attribute {name!r}")

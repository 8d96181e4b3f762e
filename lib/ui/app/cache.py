"""One cached-query wrapper for the pages: a function of the warehouse's data, cached per data version and
warehouse.

    @cache.query(max_entries=8)
    def _thing(key, wh, *args): ...          # key: (data version, warehouse label); wh: the Warehouse
    _thing(cache.key(wh), wh, *args)         # a page computes the key once per run and passes it on

The key is hashed, the warehouse is not (an engine cannot be hashed, and the key already says which data it
holds); the other arguments are hashed as st.cache_data hashes them. A new load changes the data version,
so nothing cached before it is served after it; two warehouses (a pinned data version, another database)
never share an entry. Each decorated function has a cache of its own (its module and name key it). A result
whose data version changed while it was computed (a load committed meanwhile) is returned but not cached.
"""
from __future__ import annotations

import functools

import streamlit as st

__all__ = ["query", "key"]


class _Stale(Exception):  # noqa: N818 - a signal, not an error
    """A result read while a load committed: it may hold the new rows, so it is returned to the run that asked
    but not cached under the version its key names (st.cache_data keeps no entry for a call that raised): a
    link pinned to that older version would be served it."""

    def __init__(self, result):
        super().__init__("stale")
        self.result = result


def key(wh) -> tuple[str, str]:
    """(data version, warehouse label): what a cached query's result depends on besides its arguments."""
    return wh.data_version(), wh.label


def query(*, max_entries: int | None = None, ttl=None):
    """Decorator: ``fn(key, wh, *args, **kwargs)`` cached on (key, args, kwargs); see the module docstring."""
    def decorate(fn):
        def inner(key, _wh, *args, **kwargs):      # _wh: st.cache_data does not hash a leading-underscore name
            result = fn(key, _wh, *args, **kwargs)
            if _wh.data_version() != key[0]:       # a load committed meanwhile: not cached (see _Stale)
                raise _Stale(result)
            return result

        # st.cache_data keys a function's cache by its module and qualified name: each gets its own
        inner.__module__, inner.__qualname__, inner.__name__ = fn.__module__, fn.__qualname__, fn.__name__
        cached = st.cache_data(show_spinner=False, max_entries=max_entries, ttl=ttl)(inner)

        @functools.wraps(fn)
        def call(key, wh, *args, **kwargs):
            if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key)):
                raise TypeError(f"{fn.__qualname__}: key must be (data version, warehouse label), got {key!r}")
            try:
                return cached(key, wh, *args, **kwargs)
            except _Stale as stale:
                return stale.result

        call.clear = cached.clear
        return call
    return decorate

"""The address bar's keys: every lib/ui module uses only keys its page declared in lib/ui/app/url_keys.py,
no key has two owners, and no declared key is stale (issue 17 point 5)."""
from __future__ import annotations

import ast
import fnmatch
import importlib
from collections import defaultdict
from pathlib import Path

import pytest

from lib.ui.app import nav, url_keys

UI = Path(__file__).resolve().parent.parent / "lib" / "ui"


def _value(node: ast.AST, namespace: dict):
    """A key expression's value: f-strings as a glob ("sl*"), anything else evaluated in the module."""
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "*" for v in node.values)
    try:
        return eval(compile(ast.Expression(node), "<key>", "eval"), namespace)  # noqa: S307 (module names only)
    except NameError:
        return None          # a parameter or loop variable (shell's carried keys): not a literal key


def used_keys() -> dict[str, set[str]]:
    """{module: URL keys it binds a widget to, reads or writes}, from its source."""
    out: dict[str, set[str]] = defaultdict(set)
    for path in sorted(UI.rglob("*.py")):
        name = ".".join(path.relative_to(UI).with_suffix("").parts)
        ns = vars(importlib.import_module(f"lib.ui.{name}"))
        for node in ast.walk(ast.parse(path.read_text())):
            keys = []
            if isinstance(node, ast.Call):
                kw = {k.arg: k.value for k in node.keywords}
                bound = isinstance(kw.get("bind"), ast.Constant) and kw["bind"].value == "query-params"
                picker = ast.unparse(node.func).endswith("_picker")        # controls' pickers take a key
                if "key" in kw and (bound or picker):
                    keys.append(kw["key"])
                f = node.func
                if isinstance(f, ast.Attribute) and f.attr in ("get", "get_all") and node.args \
                        and ast.unparse(f.value).endswith("query_params"):
                    keys.append(node.args[0])
            if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("query_params"):
                keys.append(node.slice)
            if isinstance(node, ast.FunctionDef):      # a picker's default key (grain_picker(key="grain"))
                a = node.args
                keys += [d for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if p.arg == "key" and d]
                keys += [d for p, d in zip(a.args[::-1], a.defaults[::-1], strict=False) if p.arg == "key"]
            for k in keys:
                v = _value(k, ns)
                if isinstance(v, str):
                    out[name].add(v)
    return out


def test_no_key_has_two_owners():
    assert url_keys.collisions() == []


def test_a_collision_is_reported():
    pages = {**url_keys.PAGES, "overview": ("trend", "metric")}        # Explore's "metric", the old bug
    assert url_keys.collisions(pages) == ["metric: overview, explore"]
    assert url_keys.collisions({"a": ("x", "x")}, (), ()) == ["x: a, a"]
    assert url_keys.collisions({"a": ("range",)}) == ["range: (shared controls), a"]


def test_pages_are_the_navigation_pages():
    assert set(url_keys.PAGES) <= set(nav.PAGES)
    assert set(url_keys.MODULES.values()) <= {*url_keys.PAGES, url_keys.APP_OWNER, url_keys.SHARED_OWNER}


def test_every_module_uses_only_its_pages_keys():
    used = used_keys()
    assert set(used) <= set(url_keys.MODULES), f"modules using URL keys but not in MODULES: {set(used) - set(url_keys.MODULES)}"
    for module, keys in used.items():
        ok = url_keys.allowed(url_keys.MODULES[module])
        stray = {k for k in keys if not any(fnmatch.fnmatchcase(d, k) for d in ok)}
        assert not stray, f"lib.ui.{module} uses undeclared URL key(s) {sorted(stray)}"


def test_no_declared_key_is_stale():
    used = [k for keys in used_keys().values() for k in keys]
    declared = [*url_keys.APP, *url_keys.SHARED, *(k for ks in url_keys.PAGES.values() for k in ks)]
    stale = [d for d in declared if not any(fnmatch.fnmatchcase(d, k) for k in used)]
    assert stale == []


@pytest.mark.parametrize(("module", "key"), [("overview.view", "trend"), ("explore.view", "xgrain"),
                                             ("replenish.parts", "sl*"), ("app.shell", "dv"), ("funnel.view", "seg"),
                                             ("widgets.controls", "grain")])
def test_the_scan_sees_widgets_reads_and_writes(module, key):
    assert key in used_keys()[module]

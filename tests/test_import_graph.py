"""The shape of lib/: packages import only what ARCHITECTURE.md allows, no import cycle between modules,
lazy (inside a function) or not, and no module over 500 lines (issue 17)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 500
FOUNDATIONS = {"lib.schema", "lib.settings", "lib.fmt", "lib.exports", "lib.jobs", "lib.access"}
ENGINES = {"lib.cohorts", "lib.funnel", "lib.forecast", "lib.replenish", "lib.pricing", "lib.marketing"}
# package -> the packages it may import besides the foundations (ARCHITECTURE.md's table)
ALLOWED = {
    **{f: FOUNDATIONS for f in FOUNDATIONS},
    "lib.warehouse": set(), "lib.sources": {"lib.warehouse"}, "lib.demo": set(),
    "lib.ingest": {"lib.warehouse", "lib.sources", "lib.demo"},
    "lib.analytics": {"lib.warehouse"}, "lib.kpis": {"lib.analytics"},
    "lib.cohorts": {"lib.warehouse", "lib.analytics"}, "lib.marketing": {"lib.warehouse", "lib.analytics"},
    "lib.funnel": {"lib.warehouse", "lib.analytics"},
    "lib.forecast": {"lib.warehouse", "lib.analytics"}, "lib.replenish": {"lib.warehouse", "lib.analytics"},
    "lib.pricing": {"lib.warehouse", "lib.analytics", "lib.forecast", "lib.replenish"},
    "lib.sharing": {"lib.warehouse", "lib.analytics"},
    "lib.ops": set(),
    "lib.charts": ENGINES | {"lib.analytics"},
    "lib.messages": {"lib.ingest", "lib.sources"},
    "lib.reports": ENGINES | {"lib.warehouse", "lib.analytics", "lib.ingest", "lib.sources", "lib.charts",
                              "lib.sharing", "lib.messages"},
}


def modules() -> dict[str, Path]:
    out = {}
    for p in (ROOT / "lib").rglob("*.py"):
        parts = p.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the lib modules it imports anywhere in its body (a package's __init__ is an edge only
    when the package itself, not one of its modules, is imported)."""
    def owner(name: str) -> str:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name

    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = [f"{node.module}.{a.name}" for a in node.names]
                targets = [t for t in subs if t in mods]
                if len(targets) < len(subs):
                    targets.append(node.module)
            else:
                continue
            graph[m] |= {owner(t) for t in targets if t.startswith("lib") and owner(t) not in ("", m)}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_lazy_cycle():
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_lib_has_no_import_cycle():
    assert cycles(import_graph(modules())) == []


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in [*modules().values(), ROOT / "app.py"]
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_packages_import_only_what_the_architecture_allows():
    mods = modules()
    broken = []
    for m, deps in import_graph(mods).items():
        pkg = package(m)
        if pkg in ("lib", "lib.ui"):
            continue                  # lib/__init__ names the engines; lib/ui may import everything
        allowed = ALLOWED[pkg] | FOUNDATIONS | {pkg}
        broken += [f"{m} -> {d}" for d in sorted(deps) if package(d) not in allowed]
    assert broken == []


def test_nothing_outside_lib_ui_imports_lib_ui():
    users = [m for m, deps in import_graph(modules()).items()
             if package(m) != "lib.ui" and any(package(d) == "lib.ui" for d in deps)]
    assert users == []

"""Tests share support modules (tests/support/), not each other: no module under tests/ imports from a test
module (tests.test_*, tests.journeys.test_*) or from a conftest, at the top or inside a function."""
from __future__ import annotations

import ast

import pytest

from tests.support.paths import ROOT

TESTS = ROOT / "tests"


def _forbidden(module: str) -> bool:
    """A dotted module name that is a test module or a conftest."""
    last = module.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def shared_from_tests(source: str, package: str = "tests") -> list[str]:
    """The test modules and conftests that `source` (a module of package `package`) imports from."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("tests.") and _forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom):
            if node.level:                                    # from .x import y, from . import y
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module != "tests" and not module.startswith("tests."):
                continue
            if _forbidden(module):
                found.append(module)
            else:                                             # from tests import test_x / conftest
                found += [f"{module}.{a.name}" for a in node.names if _forbidden(a.name)]
    return found


def test_the_check_sees_every_way_of_importing_a_test_module():
    src = """
from tests.test_kpis import load_store
from tests.journeys.conftest import AS_OF
import tests.test_browser
from tests import conftest
from tests.journeys import test_01_home
from .test_versions import orders
def later():
    from tests.test_app_replenish import seed_store
from tests.support.kpi_store import load_store
from tests.support import monthly_store
import tests.support.browser
from lib.analytics import kpis
"""
    assert shared_from_tests(src) == [
        "tests.test_kpis", "tests.journeys.conftest", "tests.test_browser", "tests.conftest",
        "tests.journeys.test_01_home", "tests.test_versions", "tests.test_app_replenish"]
    assert shared_from_tests("from . import conftest\n", package="tests.journeys") == ["tests.journeys.conftest"]


def test_no_module_under_tests_imports_another_test_module_or_a_conftest():
    modules = sorted(TESTS.rglob("*.py"))
    assert len(modules) > 100                               # the walk found the suite
    offenders = {}
    for path in modules:
        rel = path.relative_to(ROOT)
        package = ".".join(rel.parent.parts)
        found = shared_from_tests(path.read_text(encoding="utf-8"), package)
        if found:
            offenders[str(rel)] = found
    assert offenders == {}, f"import these from a module under tests/support/ instead: {offenders}"


class _PageNotFound:
    """Just enough of a Playwright page for sharing_browser.no_exception: no exception box, and a main
    area that reads "Page not found"."""

    def locator(self, selector):
        return self

    def count(self) -> int:
        return 0

    def inner_text(self) -> str:
        return "Page not found"


def test_a_failing_assert_in_a_support_module_shows_its_values():
    from tests.support import sharing_browser

    with pytest.raises(AssertionError) as failed:
        sharing_browser.no_exception(_PageNotFound())
    assert "'Page not found' not in 'Page not found'" in str(failed.value)    # rewritten: values shown

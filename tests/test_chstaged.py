"""ClickHouse runs a select's CTEs that are read more than once as temporary tables (lib.warehouse.chstaged)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, literal_column, select, text, union_all

from lib.warehouse import Warehouse
from lib.warehouse.chstaged import _reads

pytestmark = pytest.mark.clickhouse


def _doubling_chain(depth: int):
    """x = 1, 2, 3; each next CTE is the previous one read twice (UNION ALL): 3 * 2^depth rows."""
    cte = select(literal_column("number + 1").label("x")).select_from(text("numbers(3)")).cte("c0")
    for i in range(1, depth + 1):
        cte = union_all(select(cte.c.x), select(cte.c.x)).cte(f"c{i}")
    return select(func.count().label("n"), func.sum(cte.c.x).label("total")).select_from(cte)


def _temporary_tables(wh) -> int:
    return int(wh.read("SELECT count() AS n FROM system.tables WHERE is_temporary")["n"].iloc[0])


def test_a_chain_of_ctes_each_read_twice_is_computed_once_per_step(chdb_url):
    wh = Warehouse.open(chdb_url)
    # inlined, 14 levels would be 16,384 copies of c0 for ClickHouse's analyzer to work through
    out = wh.read(_doubling_chain(14))
    assert out.to_dict("records") == [{"n": 3 * 2 ** 14, "total": 6 * 2 ** 14}]
    assert _temporary_tables(wh) == 0


def test_a_failing_statement_leaves_no_temporary_table_behind(chdb_url):
    wh = Warehouse.open(chdb_url)
    chain = _doubling_chain(2)
    c2 = chain.get_final_froms()[0]
    bad = select(func.throwIf(func.sum(c2.c.x) > 0, "planted failure").label("boom")).select_from(c2)
    with pytest.raises(Exception, match="planted failure"):
        wh.read(bad)
    assert _temporary_tables(wh) == 0
    assert wh.read(chain).to_dict("records") == [{"n": 12, "total": 24}]     # the connection still works


def test_reads_counts_from_and_join_references_only():
    sql = ("WITH `a` AS (SELECT 1), `b` AS (SELECT * FROM `a`) SELECT * FROM `a` JOIN `b` ON 1 "
           "WHERE x IN (SELECT y FROM `a`) AND `ab` = 1")
    assert (_reads(sql, "a"), _reads(sql, "b"), _reads(sql, "ab")) == (3, 1, 0)

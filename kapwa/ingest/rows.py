"""Bulk row helpers for the ingest path: reserve primary keys, update many rows by id, chunk IN lists."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

CHUNK = 500


def chunks(values: list, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def update_by_id(s: Session, model, rows: list[dict]) -> None:
    """UPDATE … WHERE id = :id for many rows in one executemany (Core; no per-row ORM bookkeeping)."""
    if not rows:
        return
    table = model.__table__
    names = [k for k in rows[0] if k != "id"]
    stmt = table.update().where(table.c.id == bindparam("_id")).values(
        {name: bindparam(f"_{name}", type_=table.c[name].type) for name in names})
    s.execute(stmt, [{f"_{k}": v for k, v in row.items()} for row in rows])


def allocate_ids(s: Session, model, n: int) -> list[int]:
    """Reserve n primary keys, so rows can be inserted with executemany and linked before insert.

    SQLite: the write transaction holds the database lock (BEGIN IMMEDIATE), so max(id)+1… is ours.
    PostgreSQL: take n values from the table's sequence.
    """
    if n == 0:
        return []
    if s.get_bind().dialect.name == "sqlite":
        start = (s.scalar(select(func.max(model.id))) or 0) + 1
        return list(range(start, start + n))
    table = model.__table__.name
    return list(s.scalars(text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                               "FROM generate_series(1, :n)").bindparams(n=n)))

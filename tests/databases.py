"""Reading a claims database from a test as an analyst would: read-only, closed right after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from claims.store import PUBLISHED_TABLES


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    """The rows of one read-only query."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def published_rows(db: Path, *, with_run: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    """Every published row by table, sorted. ``with_run=False`` leaves out
    ``documents.extracted_run`` (which run extracted a document), to compare two databases."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = {}
        for table in PUBLISHED_TABLES:
            columns = "* EXCLUDE (extracted_run)" if table == "documents" and not with_run else "*"
            rows[table] = con.execute(f"SELECT {columns} FROM main.{table} ORDER BY ALL").fetchall()
        return rows
    finally:
        con.close()

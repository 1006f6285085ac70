"""Database engines for both modes: SQLite (embedded, WAL) and PostgreSQL (scaled)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import io
import sqlite3
from pathlib import Path

import asyncpg
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from stagecraft import piccolo_conf
from stagecraft.piccolo_app import TABLES
from stagecraft.settings import use_our_piccolo_conf

use_our_piccolo_conf()


def postgres_connect_kwargs(database_url: str) -> dict:
    """asyncpg's connection arguments for a postgresql:// URL: the URL itself, so everything libpq's
    URLs may say (%-encoded passwords, ``?sslmode=require``, several hosts) reaches the connection."""
    return {"dsn": database_url}


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers go on while one writer writes; the mode is stored in the file.
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
        return SQLiteEngine(path=str(path), timeout=30)
    return PostgresEngine(config=postgres_connect_kwargs(database_url))


def uses_postgres() -> bool:
    """Whether the tables are bound to PostgreSQL (the scaled mode's database)."""
    return isinstance(piccolo_conf.DB, PostgresEngine)


def configure_database(database_url: str) -> Engine:
    """Bind every table (Piccolo's migration table too) to one engine."""
    engine = make_engine(database_url)
    piccolo_conf.DB = engine
    for table in [*TABLES, Migration]:
        table._meta.db = engine
    return engine


async def open_database(database_url: str) -> Engine:
    """Bind the tables, start PostgreSQL's connection pool, and apply pending migrations."""
    engine = configure_database(database_url)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)
    await migrate()
    return engine


MIGRATION_LOCK = 0x5743_0001  # PostgreSQL advisory lock key: one process migrates at a time


async def migrate() -> None:
    """Apply every pending migration, one process at a time: several web processes and workers may
    start together, and the first one migrates while the others wait and then find nothing to do."""
    engine = piccolo_conf.DB
    if isinstance(engine, PostgresEngine):
        connection = await asyncpg.connect(**engine.config)
        try:
            await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            await _run_migrations()
        finally:
            await connection.close()  # ends the session, and the lock with it
        return
    lock_path = Path(engine.path).with_suffix(".migrate-lock")
    with lock_path.open("a") as lock:
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        try:
            await _run_migrations()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


async def _run_migrations() -> None:
    with contextlib.redirect_stdout(io.StringIO()):  # Piccolo prints progress; keep it out of our output
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"database migration failed: {result.message}")


def write_transaction():
    """A transaction for writes: IMMEDIATE on SQLite, so two writers never deadlock on upgrade."""
    engine = piccolo_conf.DB
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def close_database() -> None:
    engine = piccolo_conf.DB
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()

"""Triggers that move `users.progress_version` on whenever what a learner's pages reckon from
changes: their attempts (added, removed, or changed in state, verdict or score; not a lease's
renewal) and their review requests (added, removed, decided). In the database, so that no write
path, in any process, can forget it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T23:17:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "progress_version_triggers"

SHOWN = "state, verdict, polished, score, max_score, created_at, finished_at, exercise"
WATCHED = (  # (table, the learner's column, the columns whose change shows)
    ("submissions", '"user"', SHOWN),
    ("review_requests", "learner", "state, exercise"),
)
BUMP = "UPDATE users SET progress_version = progress_version + 1 WHERE id = {row}.{column};"


def _sqlite() -> list[str]:
    statements = []
    for table, column, shown in WATCHED:
        for event, row in (("INSERT", "NEW"), (f"UPDATE OF {shown}", "NEW"), ("DELETE", "OLD")):
            name = f"{table}_progress_{event.split()[0].lower()}"
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} "
                f"BEGIN {BUMP.format(row=row, column=column)} END"
            )
    return statements


def _postgres() -> list[str]:
    statements = []
    for table, column, shown in WATCHED:
        function = f"{table}_progress_version"
        statements += [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        {BUMP.format(row="OLD", column=column)}
    ELSE
        {BUMP.format(row="NEW", column=column)}
    END IF;
    RETURN NULL;
END $$""",
            f"DROP TRIGGER IF EXISTS {function} ON {table}",
            f"CREATE TRIGGER {function} AFTER INSERT OR DELETE OR UPDATE OF {shown} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    return statements


def _dropping(engine_type: str) -> list[str]:
    if engine_type == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_progress_{event}"
            for table, _, _ in WATCHED
            for event in ("insert", "update", "delete")
        ]
    return [
        statement
        for table, _, _ in WATCHED
        for statement in (
            f"DROP TRIGGER IF EXISTS {table}_progress_version ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_progress_version()",
        )
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="stagecraft", description=DESCRIPTION)
    engine = engine_finder()

    async def create() -> None:
        for statement in _sqlite() if engine.engine_type == "sqlite" else _postgres():
            await engine.run_ddl(statement)

    async def drop() -> None:
        for statement in _dropping(engine.engine_type):
            await engine.run_ddl(statement)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager

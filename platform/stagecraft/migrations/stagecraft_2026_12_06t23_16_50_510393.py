from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T23:16:50:510393"
VERSION = "1.38.0"
DESCRIPTION = "user_progress_version"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="stagecraft", description=DESCRIPTION)

    manager.add_column(
        table_class_name="User",
        tablename="users",
        column_name="progress_version",
        db_column_name="progress_version",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Text, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T11:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "test tiers: each test's tier and rule, a submission's polished flag"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="stagecraft", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Submission",
        tablename="submissions",
        column_name="polished",
        db_column_name="polished",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
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

    # The first migration named this table's class TestResult (today GradedTest); the table is the same.
    manager.add_column(
        table_class_name="TestResult",
        tablename="test_results",
        column_name="tier",
        db_column_name="tier",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 10,
            "default": "spec",
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

    manager.add_column(
        table_class_name="TestResult",
        tablename="test_results",
        column_name="rule",
        db_column_name="rule",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
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

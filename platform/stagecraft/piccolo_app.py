"""The Piccolo app that owns every Stagecraft table and its migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from stagecraft.accounts.tables import User
from stagecraft.api.tables import ApiToken
from stagecraft.editor.tables import EditorDraft
from stagecraft.notifications.tables import Notification
from stagecraft.reviews.tables import CommentSnippet, ReviewComment, ReviewRequest
from stagecraft.storage.tables import ArchiveBlob, DeploymentFact, SessionRecord
from stagecraft.submissions.tables import GradedTest, Submission

TABLES = [
    User,
    Submission,
    GradedTest,
    ReviewRequest,
    ReviewComment,
    Notification,
    CommentSnippet,
    ApiToken,
    EditorDraft,
    ArchiveBlob,
    SessionRecord,
    DeploymentFact,
]

APP_CONFIG = AppConfig(
    app_name="stagecraft",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
)

from piccolo.columns import JSON, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from stagecraft.accounts.tables import User


class EditorDraft(Table, tablename="editor_drafts"):
    """A learner's files for one exercise in the browser editor, saved on the server as they type."""

    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    exercise = Varchar(length=100, index=True)
    files = JSON(default="{}")  # path -> text
    updated_at = Timestamptz()

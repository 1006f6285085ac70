from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

ROLES = ("learner", "mentor", "author", "admin")


class User(Table, tablename="users"):
    email = Varchar(length=254, unique=True, index=True)
    password_hash = Text()
    role = Varchar(length=16, default="learner")
    created_at = Timestamptz()
    # Moved on by the database itself (triggers, see the progress_version_triggers migration)
    # whenever the learner's attempts or review requests change in what their pages show: a
    # page reckoned from them can be kept until it moves, by every process. It only counts up:
    # nothing in the application writes it (never save() a User read with it to an older value).
    progress_version = Integer(default=0)

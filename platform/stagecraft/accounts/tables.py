from piccolo.columns import Text, Timestamptz, Varchar
from piccolo.table import Table

ROLES = ("learner", "mentor", "author", "admin")


class User(Table, tablename="users"):
    email = Varchar(length=254, unique=True, index=True)
    password_hash = Text()
    role = Varchar(length=16, default="learner")
    created_at = Timestamptz()

from piccolo.columns import ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from stagecraft.accounts.tables import User


class Notification(Table, tablename="notifications"):
    """Something that happened to a person's work: a review started, a comment, a verdict, a reply."""

    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)  # who is told
    kind = Varchar(length=30)  # review_started | comment | verdict | reply
    text = Text()  # plain text, escaped when shown
    link = Varchar(length=300)  # a same-site path: the page it is about
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)

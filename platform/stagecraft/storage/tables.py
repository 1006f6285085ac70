from piccolo.columns import Bytea, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class ArchiveBlob(Table, tablename="archive_blobs"):
    """A submitted archive, by content hash, for deployments whose workers do not share a disk."""

    sha256 = Varchar(length=64, unique=True, index=True)
    kind = Varchar(length=10)  # "zip" | "tar.gz"
    size = Integer()
    data = Bytea()
    stored_at = Timestamptz()


class SessionRecord(Table, tablename="sessions"):
    """One signed-in browser's session data (Litestar's server-side session store)."""

    key = Varchar(length=200, unique=True, index=True)
    value = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)


class DeploymentFact(Table, tablename="deployment_facts"):
    """A fact of the running deployment, such as the checkout the web processes run ("checkout")."""

    name = Varchar(length=100, unique=True, index=True)
    value = Text(default="")
    updated_at = Timestamptz()

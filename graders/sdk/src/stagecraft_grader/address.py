"""Where the grader reaches the app: APP_HOST, pinned to the literal address the app answered on."""

from __future__ import annotations

from .startup import first_to_accept
from .wire import host_header

LOCALHOST = "localhost"
# What "localhost" may mean to the app: Node's listen(port, "localhost") often binds ::1 only,
# Flask binds 127.0.0.1, and `0.0.0.0` or `::` answer on both.
LOOPBACK_ADDRESSES = ("127.0.0.1", "::1")


class AppAddress:
    """The app's address for the whole run, one per run.

    With APP_HOST=localhost the grader tries 127.0.0.1 and ::1 in turn, as curl does, and every
    client then connects to the one that answered; any other APP_HOST is used as it is. The plugin
    finds the app before the first test; app control finds it again after a start or restart.
    """

    def __init__(self, app_host: str, port: int) -> None:
        self.app_host = app_host  # as configured; the host curl lines name
        self.port = port
        self.candidates = LOOPBACK_ADDRESSES if app_host.lower() == LOCALHOST else (app_host,)
        self.host = self.candidates[0]  # the literal address every client connects to

    @property
    def base_url(self) -> str:
        """E.g. "http://127.0.0.1:8000" or "http://[::1]:8000"."""
        return f"http://{host_header(self.host, self.port)}"

    def find(self, timeout: float) -> bool:
        """Wait until the app accepts a connection, and pin the address it answered on.

        The address found before is tried first, so an app restarted as it was keeps it.
        """
        hosts = (self.host, *(host for host in self.candidates if host != self.host))
        found = first_to_accept(hosts, self.port, timeout)
        if found is not None:
            self.host = found
        return found is not None

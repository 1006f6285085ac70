"""One place that decides how a response is rendered: page, fragment, or error page."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from stagecraft.web.auth import session_viewer

log = logging.getLogger(__name__)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def page(template: str, status_code: int = 200, headers: dict[str, str] | None = None, **context: Any) -> Template:
    return Template(template_name=template, context=context, status_code=status_code, headers=headers or {})


def render_fragment(request: Request, template: str, **context: Any) -> str:
    """Render a fragment to a string (for SSE messages), with the same globals as pages."""
    engine = request.app.template_engine
    return engine.get_template(template).render(request=request, **context)


def _login_redirect(request: Request) -> Response:
    target = f"/login?next={quote(request.url.path)}"
    if is_htmx(request):
        return Response(content="", status_code=401, headers={"HX-Redirect": target})
    return Redirect(path=target)


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    wants_json = request.headers.get("accept", "").startswith("application/json")  # the editor's fetch calls
    if request.url.path.startswith("/api/") or wants_json:  # JSON, a 401 included (never the login page)
        return Response(content={"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers or {})
    if isinstance(exc, NotAuthorizedException):
        return _login_redirect(request)
    detail = _DEFAULT_DETAILS.get(exc.detail, exc.detail)  # Litestar's own words are only a status name
    headers = getattr(exc, "headers", None) or {}
    return page(
        "error.html",
        status_code=exc.status_code,
        status=exc.status_code,
        detail=detail,
        viewer=session_viewer(request),
        headers=headers,
    )


def handle_server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if request.url.path.startswith("/api/"):
        detail = {"detail": "Something went wrong on our side. It has been logged."}
        return Response(content=detail, status_code=HTTP_500_INTERNAL_SERVER_ERROR)
    return page(
        "error.html",
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        status=500,
        detail="Something went wrong on our side. It has been logged.",
        viewer=session_viewer(request),
    )


_DEFAULT_DETAILS = {
    "Not Found": "There is no page at this address.",
    "Method Not Allowed": "This address does not take that kind of request.",
}


SECURITY_HEADERS = {
    # Scripts and styles only from our own /static (htmx is vendored): injected markup cannot run.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


async def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response

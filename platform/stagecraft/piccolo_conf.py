"""Piccolo's configuration module; `stagecraft.db.configure_database` sets DB at start-up."""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

DB: Engine | None = None

APP_REGISTRY = AppRegistry(apps=["stagecraft.piccolo_app"])

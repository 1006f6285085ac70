import os

import pytest


@pytest.fixture
def base_url():
    """The cart pricing API under test: TARGET_URL, set by the runner (or by you, locally)."""
    return os.environ.get("TARGET_URL", "http://127.0.0.1:9000").rstrip("/")

import pytest


@pytest.fixture
def broken():
    raise RuntimeError("a bug in the suite")


def test_uses_broken_fixture(broken):
    pass


def test_fine():
    pass

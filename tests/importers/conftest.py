"""Fixtures shared by the importer tests."""

import pytest

from tests.importers import owner


@pytest.fixture
def actor(factory):
    """An owner of the test workspace, who runs the imports."""
    return owner(factory)

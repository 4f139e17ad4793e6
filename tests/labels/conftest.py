"""Fixtures for the label engine tests (pure: no application, no database)."""

from __future__ import annotations

import pytest

from registry.labels.serials import SerialSigner

from .support import KEY


@pytest.fixture
def signer() -> SerialSigner:
    return SerialSigner(KEY)

"""A tiny lookbook shared by the tests of the evaluation commands (read it; copy it before changing it)."""

from pathlib import Path

import pytest

from synthetic.lookbook import LookbookConfig, build_lookbook


@pytest.fixture(scope="session")
def tiny_lookbook(tmp_path_factory) -> Path:
    """Three validation and three test scenes of a 60-product catalog, small enough to evaluate in seconds."""
    out = tmp_path_factory.mktemp("lookbook")
    build_lookbook(out, LookbookConfig({"train": 1, "val": 3, "test": 3}, n_products=60, width=240, height=320))
    return out

"""Every test's servers and sources keep their parsed cache and last good versions in a
temporary folder of the run, never in the repository's data/ (subprocesses inherit it)."""

import os
import tempfile

import pytest


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_the_repository():
    with tempfile.TemporaryDirectory(prefix="dashboard-cache-") as folder:
        before = os.environ.get("DATA_CACHE_DIR")
        os.environ["DATA_CACHE_DIR"] = folder
        yield
        if before is None:
            os.environ.pop("DATA_CACHE_DIR", None)
        else:
            os.environ["DATA_CACHE_DIR"] = before

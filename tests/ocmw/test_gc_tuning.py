"""The web worker's garbage collector: start-up objects frozen, rare collections."""

from __future__ import annotations

import gc
import importlib
import sys

import pytest

from ocmw import gc_tuning


@pytest.fixture
def restored_gc():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_the_wsgi_module_freezes_what_start_up_loaded(restored_gc):
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    import ocmw.wsgi

    importlib.reload(ocmw.wsgi)
    assert gc.get_freeze_count() > 10_000  # modules, URL patterns, models ...
    assert gc.get_threshold() == (gc_tuning.FIRST_THRESHOLD, 10, 10)
    # Every view module was imported before freezing.
    assert "trajecten.views" in sys.modules and "gpmi.api" in sys.modules

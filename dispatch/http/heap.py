"""The server's heap after start-up, out of the garbage collector's way.

A started server holds ~440,000 long-lived Python objects (the modules of FastAPI, SQLAlchemy,
shapely, pyproj, numpy, the app's routes and tables). CPython's full (generation 2) collection
walks all of them: 160-270 ms with the event loop stopped, measured on the project's 2-core
machine, and a flood of requests (100 wrong logins a second) triggers one every few seconds,
so an alert posted at that moment reached its screen in 250-600 ms instead of 20-50 ms
(`infofirst bench login_flood`). ``gc.freeze()`` moves every object alive at that point into the
permanent generation, which no collection walks (the technique of CPython's documentation for
``gc.freeze``); objects created afterwards are collected as before.

No ``gc.collect()`` first: it would cost the same pause at every start (the test suite starts
hundreds of apps). Cyclic garbage alive at the freeze stays until ``thaw`` at the app's stop,
which hands everything back to the collector (an app started and stopped many times in one
process, as in the tests, leaks nothing).
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> int:
    """Freeze every object alive now; the number of objects frozen."""
    gc.freeze()
    return gc.get_freeze_count()


def thaw() -> None:
    """Hand the frozen objects back to the collector (the app is stopping)."""
    gc.unfreeze()

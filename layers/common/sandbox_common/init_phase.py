"""A function's init phase: the cyclic garbage collector paused while its app module loads.

Lambda's init is the import of the handler module: tens of thousands of long-lived objects
(FastAPI, pydantic models and their validators, the routes) and no garbage cycles worth
collecting, yet the collector walks them again and again as they pile up. A FastAPI app
module imports this module first, which pauses the collector; ``http.app.make_handler``
calls ``finished()`` once the handler exists, which moves everything loaded so far out of
the collector's way (``gc.freeze``: it is never garbage) and resumes it. That is about a
tenth of each HTTP function's init (``benchmarks/cold_start.py``).

Importing it is the only way to pause, and only the first import pauses: in the local
runtime, which loads every function into one process, the first app's handler resumes
collection for good.
"""

from __future__ import annotations

import gc

_paused = gc.isenabled()
if _paused:
    gc.disable()


def finished() -> None:
    """Resume garbage collection (once), with what was loaded until now frozen out of it."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()

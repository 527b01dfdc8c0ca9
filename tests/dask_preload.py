"""Loaded by the test cluster's workers (`dask worker --preload`): two ways for a worker to
misbehave that the tests need, and nothing else changed.

* A story containing CRASH marks a layout that kills the worker process running it, every
  time, as a segfault in a C library or the kernel's OOM killer would.
* PACKAGER_TEST_ENGINE set: the worker reports another packager version, as a worker
  installed from another release would.
"""

from __future__ import annotations

import os

from packager.pdf import engine, tasks

CRASH = "CRASH-THIS-DASK-WORKER"
# Dask may run a preload twice in one process: wrap the real function, never the wrapper.
_render = getattr(tasks, "_unwrapped_render_story", tasks.render_story)
tasks._unwrapped_render_story = _render  # type: ignore[attr-defined]


def _render_or_die(renderer, known, task):  # type: ignore[no-untyped-def]
    if CRASH in task.html:
        os._exit(70)
    return _render(renderer, known, task)


tasks.render_story = _render_or_die

if os.environ.get("PACKAGER_TEST_ENGINE"):
    _original = getattr(engine, "_unwrapped_fingerprint", engine.fingerprint)
    engine._unwrapped_fingerprint = _original  # type: ignore[attr-defined]
    _real = _original()
    _other = (("packager", os.environ["PACKAGER_TEST_ENGINE"]), *_real[1:])
    engine.fingerprint = lambda: _other  # type: ignore[assignment]

"""How a server process gets its memory back after a view is computed (docs/benchmarks.md 第六轮).

Two allocators kept the memory of a view's temporary arrays after they were freed, in the
gunicorn master and again in each worker:

- Arrow's default pool (mimalloc) holds on to freed segments: the frames' strings live there.
- glibc raises its mmap threshold each time a large block is freed (up to 32 MB), so later
  arrays of a few hundred KB come from the heap, where freed gaps stay resident.

Arrow's system pool and a fixed 128 KB mmap threshold (glibc's own default, kept fixed) return
both at once. An operator who sets ARROW_DEFAULT_MEMORY_POOL or MALLOC_MMAP_THRESHOLD_ keeps it.
"""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Mapping

import pyarrow

M_MMAP_THRESHOLD = -3  # mallopt's parameter number in glibc's <malloc.h>
MMAP_THRESHOLD = 128 * 1024


def settle(environ: Mapping[str, str] = os.environ) -> None:
    """Before the data is read (each app.create_app; the same settings again are harmless); workers inherit it."""
    if "ARROW_DEFAULT_MEMORY_POOL" not in environ:
        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    if "MALLOC_MMAP_THRESHOLD_" not in environ:
        try:
            mallopt = ctypes.CDLL(None).mallopt
        except (OSError, AttributeError):  # not glibc: its allocator has no such threshold
            return
        if not mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD):
            logging.getLogger(__name__).warning("mallopt(M_MMAP_THRESHOLD) refused")

"""The allocators hand freed view memory back to the system (components/data/allocators.py)."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pyarrow
import pytest

from components.data import allocators

ROOT = Path(__file__).resolve().parents[1]

# After glibc frees an 8 MB block, how many of 256 new 256 KB blocks are mmapped (returned to the
# system when freed) rather than taken from the heap? The size word before a chunk has bit 2 set
# when it is mmapped. A few may fit in free heap space either way (more where imports compiled .pyc).
PROBE = """
import ctypes, sys
sys.path.insert(0, {root!r})
if sys.argv[1] == "settled":
    from components.data import allocators
    allocators.settle({{}})
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.free(libc.malloc(8 << 20))
blocks = [libc.malloc(256 << 10) for _ in range(256)]
print(sum(ctypes.c_size_t.from_address(b - ctypes.sizeof(ctypes.c_size_t)).value & 2 == 2 for b in blocks))
"""


def test_arrow_frames_are_held_in_the_system_pool_unless_the_operator_chose_one():
    pyarrow.set_memory_pool(pyarrow.mimalloc_memory_pool())
    allocators.settle({"ARROW_DEFAULT_MEMORY_POOL": "mimalloc"})
    assert pyarrow.default_memory_pool().backend_name == "mimalloc"
    allocators.settle({})
    assert pyarrow.default_memory_pool().backend_name == "system"


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mmap threshold")
def test_a_few_hundred_kb_array_goes_back_to_the_system_after_a_large_one_was_freed():
    def mmapped(mode: str) -> int:
        probe = PROBE.format(root=str(ROOT))
        out = subprocess.run([sys.executable, "-c", probe, mode], capture_output=True, text=True, check=True, env={})
        return int(out.stdout)

    assert mmapped("plain") <= 16  # glibc's own rule: the threshold rose to 8 MB, the blocks stay in the heap
    assert mmapped("settled") >= 240

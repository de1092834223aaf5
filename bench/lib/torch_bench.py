"""Shared by the PyTorch sides of the benchmarks: thread setup, the reference networks, timing."""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools', 'fixtures'))
from networks import define_D, define_G  # noqa: E402,F401  the reference architectures, re-typed

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)


def bench(fn, min_seconds=3.0, warmup=1):
    """Mean seconds per call over at least 2 calls and min_seconds, after warm-up calls."""
    for _ in range(warmup):
        fn()
    reps, t0 = 0, time.perf_counter()
    while reps < 2 or time.perf_counter() - t0 < min_seconds:
        fn()
        reps += 1
    return (time.perf_counter() - t0) / reps

"""Deterministic unit vectors for store tests (384-d, float32 bytes, as NewMemory carries them)."""

from __future__ import annotations

import numpy as np


def unit_vector(seed: int) -> bytes:
    v = np.random.default_rng(seed).normal(size=384).astype(np.float32)
    return (v / np.linalg.norm(v)).tobytes()

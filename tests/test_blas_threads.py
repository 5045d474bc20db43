"""numpy's OpenBLAS runs one thread in our processes: its idle threads spin-wait and burn a core (``jean_memory``)."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(code: str, env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                         check=True)
    return out.stdout.strip()


def test_importing_jean_memory_sets_one_blas_thread_before_numpy_loads() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    code = ("import sys, os, jean_memory; before = 'numpy' in sys.modules; import jean_memory.cli, numpy; "
            "print(before, os.environ.get('OPENBLAS_NUM_THREADS'), len(os.listdir('/proc/self/task')))")
    before_numpy, setting, threads = _run(code, env).split()
    assert before_numpy == "False" and setting == "1"
    many = _run(code.replace("import sys, os, jean_memory;", "import sys, os; os.environ['OPENBLAS_NUM_THREADS']"
                                                             " = '4'; import jean_memory;"), env).split()
    assert many[1] == "4"  # an explicit setting wins
    assert int(threads) <= int(many[2])  # and the default starts no more threads than four BLAS threads would

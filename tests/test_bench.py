"""The benchmark scripts run: a smoke run of each, never a timing (speed is measured in bench/).

Two of them broke without a test noticing: ``bench/profile_w3.py`` and ``bench/run.py``'s W3
memory job both called ``_demo_model`` without the sizes it had come to need, and the full
run reported ``failed: TypeError`` for every engine. These runs are small and check only
that stepgrad's own jobs finish.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_quick_bench_run_has_no_failed_stepgrad_job():
    out = _run("bench/run.py", "--quick")
    failed = [line for line in out.splitlines() if "failed:" in line]
    ours = [line for line in failed if line.split()[0].startswith(("stepgrad", "floor"))]
    assert not ours, ours
    memory = [line for line in out.splitlines() if line.startswith("  stepgrad ")]
    assert any(line.endswith("steps)") for line in memory), memory  # the W3 memory job ran


@pytest.mark.parametrize(
    "args",
    [
        ("bench/profile_w3.py", "w1", "2000"),
        ("bench/compile_cost.py", "--widths", "4", "--nodes", "3000", "--rounds", "1"),
        ("bench/load_save.py",),
    ],
    ids=lambda args: Path(args[0]).stem,
)
def test_a_bench_script_runs(args):
    assert _run(*args).strip()

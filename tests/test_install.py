"""Installing anywhere: where the Makefile takes torch from (the wheel folder when it holds the wheel, else
PyTorch's CPU index), read from `make -n` since the index cannot be reached from a test, and the lock check that
the folder's wheel is the file the lock's hash pins."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECK_LOCK = ROOT / ".ci" / "check_lock.py"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
LOCAL_WHEELS = Path("/opt/wheels")

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def torch_version() -> str:
    """Return the torch version the Makefile pins (TORCH_VERSION)."""
    found = re.search(r"^TORCH_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert found is not None
    return found[1]


def wheel_name() -> str:
    """Return the file name of the pinned torch wheel, as the folder and PyTorch's CPU index name it."""
    return f"torch-{torch_version()}-cp311-cp311-manylinux_2_28_x86_64.whl"


def install_line(*assignments: str) -> str:
    """Return the `pip install ... -r requirements.lock` line `make` would run for a fresh install."""
    out = subprocess.run(
        ["make", "-n", "-B", "-C", str(ROOT), ".venv/.installed", *assignments],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line for line in out.splitlines() if "pip install" in line and "-r requirements.lock" in line]
    assert len(lines) == 1, out
    return lines[0]


@needs_make
def test_torch_comes_from_the_wheel_folder_when_it_holds_the_wheel(tmp_path: Path) -> None:
    (tmp_path / wheel_name()).write_bytes(b"")  # the Makefile looks at the name; check_lock at the hash
    line = install_line(f"WHEELS={tmp_path}")
    assert f"--find-links {tmp_path}" in line and "--index-url" not in line
    assert "--require-hashes" in line


@needs_make
def test_torch_comes_from_pytorchs_cpu_index_without_the_wheel(tmp_path: Path) -> None:
    (tmp_path / "torch-2.0.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl").write_bytes(b"")  # another version
    line = install_line(f"WHEELS={tmp_path}")
    assert f"--extra-index-url {CPU_INDEX}" in line and "--find-links" not in line
    assert "--require-hashes" in line
    missing = install_line(f"WHEELS={tmp_path / 'absent'}")
    assert f"--extra-index-url {CPU_INDEX}" in missing


@needs_make
def test_a_mirror_of_the_cpu_index_can_stand_in(tmp_path: Path) -> None:
    mirror = "https://pypi.newsroom.example/pytorch-cpu/simple"
    line = install_line(f"WHEELS={tmp_path}", f"TORCH_INDEX={mirror}")
    assert f"--extra-index-url {mirror}" in line and CPU_INDEX not in line


@needs_make
def test_the_install_says_what_it_does_and_how_long_it_takes(tmp_path: Path) -> None:
    out = subprocess.run(
        ["make", "-n", "-B", "-C", str(ROOT), ".venv/.installed", f"WHEELS={tmp_path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"installing packages, about 6 minutes (torch from {CPU_INDEX})" in out


@needs_make
@pytest.mark.skipif(not (LOCAL_WHEELS / wheel_name()).is_file(), reason=f"no torch wheel in {LOCAL_WHEELS}")
def test_this_machine_installs_from_its_wheel_folder() -> None:
    assert f"--find-links {LOCAL_WHEELS}" in install_line()


def check_lock(*args: str) -> subprocess.CompletedProcess[str]:
    """Run .ci/check_lock.py with the Makefile's torch pin."""
    return subprocess.run(
        [sys.executable, str(CHECK_LOCK), *args, f"torch=={torch_version()}"], capture_output=True, text=True
    )


def test_the_lock_names_no_folder_and_pins_torch_by_hash() -> None:
    lock = (ROOT / "requirements.lock").read_text()
    assert not re.search(r"^(--find-links|--index-url|--extra-index-url|-f |-i )", lock, re.MULTILINE)
    pin = rf"^torch=={re.escape(torch_version())} \\\n    --hash=sha256:[0-9a-f]{{64}}"
    assert re.search(pin, lock, re.MULTILINE)
    result = check_lock()
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not (LOCAL_WHEELS / wheel_name()).is_file(), reason=f"no torch wheel in {LOCAL_WHEELS}")
def test_the_local_wheel_is_the_file_the_lock_pins() -> None:
    result = check_lock("--wheels", str(LOCAL_WHEELS))
    assert result.returncode == 0, result.stderr


def test_a_different_wheel_in_the_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / wheel_name()).write_bytes(b"not the pinned build")
    result = check_lock("--wheels", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path / wheel_name()} is not the torch {torch_version()} the lock pins" in result.stderr
    assert "Traceback" not in result.stderr
    assert check_lock("--wheels", str(tmp_path / "absent")).returncode == 0  # no folder: the index, same hash

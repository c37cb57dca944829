"""The README's examples are what newsbot prints (each ```console block starting `$ newsbot` is run over the seed
article and compared, only what must vary masked), and the systemd unit it points to passes
`systemd-analyze verify`."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
UNIT = ROOT / "deploy" / "newsbot.service"
CONSOLE = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def console_examples() -> list[tuple[list[str], str]]:
    """Return the README's `$ newsbot ...` examples: the arguments and the output shown."""
    out = []
    for block in CONSOLE.findall(README.read_text(encoding="utf-8")):
        first, _, shown = block.partition("\n")
        assert first.startswith("$ newsbot "), f"a console example that is not a newsbot command: {first}"
        out.append((shlex.split(first)[2:], shown))
    return out


def masked(text: str) -> str:
    """Return output with what varies from run to run masked: when an article was indexed."""
    return re.sub(r'"indexed_at": "[^"]*"', '"indexed_at": "..."', text)


def test_the_readme_has_its_examples() -> None:
    commands = [" ".join(args) for args, _ in console_examples()]
    assert 'ask how far is Derna from Crete' in commands and "sources --json" in commands


@pytest.mark.slow
def test_the_readme_examples_are_what_newsbot_prints(tmp_path: Path) -> None:
    env = {**os.environ, "NEWSBOT_DATA": str(tmp_path / "data"), "NEWSBOT_PROGRESS": "off", "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "bot.cli"]
    subprocess.run([*cli, "index", str(ROOT / "corpus")], env=env, cwd=ROOT, check=True, capture_output=True)
    for args, shown in console_examples():
        done = subprocess.run([*cli, *args], env=env, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert masked(done.stdout) == masked(shown), f"newsbot {' '.join(args)}"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_the_systemd_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify wants ExecStart to exist: the unit is checked as installed under a stand-in for /opt/newsbot.
    app = tmp_path / "newsbot"
    (app / ".venv" / "bin").mkdir(parents=True)
    newsbot = app / ".venv" / "bin" / "newsbot"
    newsbot.write_text("#!/bin/sh\n")
    newsbot.chmod(0o755)
    unit = tmp_path / "newsbot.service"
    unit.write_text(UNIT.read_text().replace("/opt/newsbot", str(app)))
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr  # an unknown key is only a warning: none
    text = UNIT.read_text()
    assert "ExecStart=/opt/newsbot/.venv/bin/newsbot serve" in text and "Restart=on-failure" in text

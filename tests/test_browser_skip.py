"""Without Chromium, the browser tests are skipped with a clear French reason, never in error.

Not marked ``browser``: it runs with the unit tests, on machines with or without Chromium."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests import test_browser
from tests.servers import ROOT


def test_require_chromium_skips_with_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setattr(test_browser, "CHROMIUM", str(tmp_path / "chromium"))
    with pytest.raises(pytest.skip.Exception, match="^Chromium absent : apt-get install -y chromium$"):
        test_browser.require_chromium()


def test_every_browser_test_is_skipped_when_chromium_is_missing(tmp_path):
    """The whole ``browser`` suite with TEST_CHROMIUM naming a missing file: only skips, each with the reason.
    TEST_RASA_MODEL names a missing model too, so a fixture that forgot the check fails fast instead of starting
    Rasa."""
    env = {**os.environ, "TEST_CHROMIUM": str(tmp_path / "chromium"), "TEST_RASA_MODEL": str(tmp_path / "model.tar.gz")}
    files = ["tests/test_browser.py", "tests/test_browser_followup.py"]
    collected = subprocess.run([sys.executable, "-m", "pytest", "-m", "browser", "--collect-only", "-q",
                                "-p", "no:cacheprovider", *files], cwd=ROOT, env=env, capture_output=True, text=True)
    tests = [line for line in collected.stdout.splitlines() if "::" in line]
    assert len(tests) >= 6, collected.stdout + collected.stderr
    result = subprocess.run([sys.executable, "-m", "pytest", "-m", "browser", "-rs", "-q", "-p", "no:cacheprovider",
                             *files], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0 and re.fullmatch(rf"{len(tests)} skipped in [0-9.]+s", summary), result.stdout
    reasons = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert reasons and all(line.endswith("Chromium absent : apt-get install -y chromium") for line in reasons), reasons

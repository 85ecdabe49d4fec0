"""The main job in a real browser (Debian's Chromium through Playwright)."""
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from tests.gateway.test_main_job import JUDGMENT

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "gateway"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_browser_walks_main_job(registers_system, web_config_port, tmp_path):
    pytest.importorskip("playwright")
    judgment = tmp_path / "ban-an.json"
    judgment.write_text(json.dumps(JUDGMENT, ensure_ascii=False))

    run = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("browser_walk.py")),
         f"http://127.0.0.1:{web_config_port}", str(judgment), str(ARTIFACTS)],
        capture_output=True, text=True, timeout=180)

    assert run.returncode == 0, run.stderr[-3000:]
    assert "01/QĐ-THADS" in run.stdout
    assert "Đã ban hành" in run.stdout
    assert (ARTIFACTS / "5-da-ban-hanh.png").exists()
    register = run.stdout.split("REGISTER: ", 1)[-1]
    assert "Quyết định thi hành án" in register
    assert "01/QĐ-THADS" in register
    assert "Trịnh Quang Vũ" in register
    assert (ARTIFACTS / "8-so-thu-ly.png").exists()
    if "FALLBACK" in run.stdout:
        warnings.warn("drafting from a proposal failed in the browser, so the "
                      "walk drafted through the API; see 4-loi-lap-du-thao.png")

"""Regenerate the README's screenshot: the Switch page of the real dashboard on the bundled sample.

    .venv/bin/python docs/screenshots.py            # writes docs/img/switch.png

It ingests data/sample into a temporary database (with a temporary HOME, so no price file of
yours is read), starts `switchcost dashboard` on a free local port, opens the Switch page in
headless Chromium (Debian's /usr/bin/chromium, driven by playwright) and saves the window once
the page has finished running and drawn its charts.  Nothing outside the temporary folder and
docs/img/ is written.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 1300}
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _switchcost(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "switchcost", *args], env=env)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the dashboard exited early (code {server.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the dashboard did not answer at {url} within {timeout:.0f} s")


def _shoot(url: str, path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        page = browser.new_context(viewport=VIEWPORT, device_scale_factor=1).new_page()
        page.goto(f"{url}/switch")
        page.locator("h1").first.wait_for(state="visible", timeout=120_000)
        page.wait_for_selector(READY, timeout=60_000)
        page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(timeout=120_000)
        page.wait_for_timeout(1_000)  # let the last deltas and the charts paint
        page.wait_for_selector(READY, timeout=60_000)
        page.screenshot(path=str(path))
        browser.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "switch.png"
    with tempfile.TemporaryDirectory(prefix="switchcost-shots-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        db = Path(tmp) / "sample.duckdb"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHCOST_")}
        env["HOME"] = str(home)
        ingest = _switchcost("ingest", str(REPO / "data" / "sample"), "--db", str(db), env=env)
        if ingest.wait() != 0:
            raise SystemExit("ingesting the sample failed")
        port = _free_port()
        server = _switchcost("dashboard", "--db", str(db), "--port", str(port), env=env)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, server)
            _shoot(url, target)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    print(f"wrote {target} ({target.stat().st_size / 1024:,.0f} KB)")


if __name__ == "__main__":
    main()

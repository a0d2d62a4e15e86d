"""The real `switchcost dashboard` server driven by a real headless Chromium (Debian's package).

Each page must load without Streamlit's exception box and draw a Plotly chart; moving the share
slider must change the projected total; an ingest running while the server serves must neither
break a page load nor hide the new data afterwards.  Screenshots are kept in test-output/e2e/.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.bench_dashboard import BROWSER_ARGS  # the benchmark's headless Chromium flags
from tests import dashboard_db

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots are kept for a person to look at after the run (.gitignore ignores the folder).
SHOTS = Path(__file__).resolve().parents[1] / "test-output" / "e2e"
PAGES = {"overview": "", "switch": "switch", "latency": "latency", "data": "data"}

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


def shot(name: str) -> str:
    """Where a screenshot is kept: test-output/e2e/NAME."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return str(SHOTS / name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server not healthy after {timeout}s:\n{log.read_text(errors='replace')}")


class Server:
    def __init__(self, url: str, db: Path, home: Path, root: Path, log: Path) -> None:
        self.url, self.db, self.home, self.root, self.log = url, db, home, root, log


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`switchcost dashboard` on a free 127.0.0.1 port over a freshly ingested database."""
    root = tmp_path_factory.mktemp("e2e")
    home = root / "home"
    home.mkdir()
    db = dashboard_db.build(root, home)
    port = free_port()
    log = root / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [dashboard_db.SWITCHCOST, "dashboard", "--db", str(db), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dashboard_db.env(home),
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield Server(url, db, home, root, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    yield p
    context.close()


def wait_for_run(page: Any, timeout: float = 30_000) -> None:
    """Until the script run has finished (the attribute Streamlit's own e2e tests wait on)."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout
    )
    page.wait_for_timeout(300)  # let the last deltas paint
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout
    )


def open_page(page: Any, server: Server, name: str) -> None:
    page.goto(f"{server.url}/{PAGES[name]}")
    page.locator("h1").first.wait_for(state="visible", timeout=60_000)
    wait_for_run(page)


def metric(page: Any, label: str) -> str:
    # The label must match whole: has_text alone is a case-blind substring match, so
    # "Requests" would also find "Unpriced requests".
    exact = page.locator(
        "[data-testid='stMetricLabel']", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")
    )
    box = page.locator("[data-testid='stMetric']").filter(has=exact).first
    return str(box.locator("[data-testid='stMetricValue']").inner_text()).strip()


def assert_no_exception(page: Any, server: Server) -> None:
    boxes = page.locator("[data-testid='stException']")
    if boxes.count():
        raise AssertionError(
            f"exception box: {boxes.first.inner_text()}\n{server.log.read_text(errors='replace')}"
        )


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_without_exception(page: Any, server: Server, name: str, tmp_path: Path) -> None:
    open_page(page, server, name)
    assert_no_exception(page, server)
    assert page.locator("h1").first.inner_text().strip()
    if name != "data":
        chart = page.locator("[data-testid='stPlotlyChart'] .main-svg").first
        chart.wait_for(state="visible", timeout=30_000)
        assert page.locator("[data-testid='stPlotlyChart'] .main-svg").count() >= 1
    else:
        page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=30_000)
        assert page.locator("[data-testid='stDataFrame']").count() >= 3
    page.screenshot(path=shot(f"{name}.png"), full_page=True)
    assert Path(shot(f"{name}.png")).stat().st_size > 10_000


def test_moving_the_share_slider_changes_the_projected_total(
    page: Any, server: Server, tmp_path: Path
) -> None:
    open_page(page, server, "switch")
    before = metric(page, "Projected cost")
    current = metric(page, "Current cost")
    assert before != current  # the default scenario moves something
    slider = page.locator("[data-testid='stSlider']").filter(has_text="Share of their traffic")
    thumb = slider.locator("input[type='range']")
    thumb.focus()
    for _ in range(10):  # 100% -> 50% in steps of 5
        page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        """([label, before]) => {
            const m = [...document.querySelectorAll("[data-testid='stMetric']")]
              .find(e => e.innerText.includes(label));
            return m && !m.innerText.includes(before);
        }""",
        arg=["Projected cost", before],
        timeout=30_000,
    )
    wait_for_run(page)
    assert_no_exception(page, server)
    after = metric(page, "Projected cost")
    assert thumb.input_value() == "50"
    money = [float(v.strip("$").replace(",", "")) for v in (current, before, after)]
    # Moving half the traffic lands between moving none (current) and moving all (before).
    assert money[1] < money[2] < money[0]
    page.screenshot(path=shot("switch_share_50.png"), full_page=True)


def test_switch_page_opens_with_the_answer(page: Any, server: Server) -> None:
    open_page(page, server, "switch")
    answer = page.locator("h4").first.inner_text()
    assert answer.startswith("Moving ")
    assert " a month" in answer
    assert "median latency goes from" in answer
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "None" not in text


def test_ingest_while_serving_then_new_data_shows(
    page: Any, server: Server, tmp_path: Path
) -> None:
    open_page(page, server, "overview")
    before = int(metric(page, "Requests").replace(",", ""))
    extra = server.root / "late" / "calls.jsonl"
    dashboard_db.app_log(extra, seed=99, n=30_000)
    with subprocess.Popen(
        [dashboard_db.SWITCHCOST, "ingest", str(extra), "--db", str(server.db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dashboard_db.env(server.home),
    ) as ingest:
        loads = 0
        while ingest.poll() is None or loads == 0:
            page.reload()
            wait_for_run(page, timeout=60_000)
            assert_no_exception(page, server)
            assert metric(page, "Requests")  # a number is shown, fresh or last-known
            loads += 1
        _, err = ingest.communicate(timeout=120)
        assert ingest.returncode == 0, err.decode()
    want = dashboard_db.cli_json(server.home, "report", "--by", "model", "--db", str(server.db))
    assert want["totals"]["requests"] == before + 30_000
    page.reload()
    wait_for_run(page, timeout=60_000)
    assert_no_exception(page, server)
    assert int(metric(page, "Requests").replace(",", "")) == want["totals"]["requests"]
    assert "(run 2)" in page.locator("[data-testid='stSidebar']").inner_text()
    page.screenshot(path=shot("overview_after_ingest.png"), full_page=True)


HOSTILE_LOG = Path(__file__).resolve().parent / "fixtures" / "security" / "hostile_workloads.jsonl"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second, tiny server over three requests whose workload names hold HTML and Markdown."""
    root = tmp_path_factory.mktemp("e2e_hostile")
    home = root / "home"
    home.mkdir()
    db = root / "hostile.duckdb"
    dashboard_db.cli(home, "ingest", str(HOSTILE_LOG), "--db", str(db))
    port = free_port()
    log = root / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [dashboard_db.SWITCHCOST, "dashboard", "--db", str(db), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dashboard_db.env(home),
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield Server(url, db, home, root, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_hostile_workload_name_is_shown_as_text_not_a_link(
    page: Any, hostile_server: Server, tmp_path: Path
) -> None:
    open_page(page, hostile_server, "overview")
    assert_no_exception(page, hostile_server)
    page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(timeout=30_000)
    found = page.evaluate(
        """() => ({
            links: [...document.querySelectorAll('a')].filter(a =>
                (a.getAttribute('href') || a.getAttribute('xlink:href') || '')
                  .includes('example.com')).length,
            plotlyLinks: document.querySelectorAll('.js-plotly-plot a[href], '
                + '.js-plotly-plot a[*|href]').length,
            labels: [...document.querySelectorAll('.js-plotly-plot text')]
                .map(t => t.textContent),
        })"""
    )
    page.screenshot(path=shot("hostile_overview.png"), full_page=True)
    # No link anywhere; each name is drawn as the characters it holds (tags, quotes and all),
    # one tick label each: the <br> did not break the label into two lines.
    assert found["links"] == 0
    assert found["plotlyLinks"] == 0
    assert '<a href="https://example.com">x</a>' in found["labels"]
    assert "<b>bold</b><br>[md](https://example.com)" in found["labels"]

"""``tregsim app`` in a real browser: load, change the dose, run 10 replicates, see the
plots change, export the YAML (headless Debian chromium driven by playwright).

Skipped only with TREGSIM_SKIP_BROWSER=1; a missing chromium is a failure. With
TREGSIM_APP_SCREENSHOT=PATH the test also saves the screenshot used in the README.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tregsim.scenarios import load_scenario

pytestmark = pytest.mark.browser

if os.environ.get("TREGSIM_SKIP_BROWSER", "").strip() not in ("", "0"):
    pytest.skip("TREGSIM_SKIP_BROWSER is set", allow_module_level=True)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
DOSE_FIELD = "#reg0_c0_dose"  # phrc-2016: regimen il2_pilot, first course


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def compiled_kernel():
    """Compile (or load) the model's solver kernel before the server starts: on a fresh
    machine the first solve compiles it (about a minute), which would otherwise fall inside
    the browser's 60 s waits. The server process loads the kernel from the on-disk cache."""
    from tregsim.trial import simulate_replicate

    simulate_replicate(load_scenario("pilot-2014", ["population.n=10"]), 1, 0)


@pytest.fixture
def app_url(tmp_path, compiled_kernel):
    """``tregsim app`` on a free port in a subprocess; stopped after the test."""
    port = _free_port()
    env = {**os.environ, "TREGSIM_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "tregsim.cli", "app", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    try:
        while True:
            if server.poll() is not None:
                pytest.fail(f"tregsim app exited: {(tmp_path / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("tregsim app did not answer within 90 s")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _blur(page, selector: str, text: str) -> None:
    page.fill(selector, text)
    page.press(selector, "Tab")


def test_change_dose_run_ten_replicates_and_export(app_url, tmp_path):
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    from playwright.sync_api import sync_playwright

    page_errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("pageerror", lambda e: page_errors.append(str(e)))
        page.set_default_timeout(60_000)
        page.goto(app_url)
        page.wait_for_selector(DOSE_FIELD)
        assert page.input_value(DOSE_FIELD) == "1.5"

        tab = page.get_by_role("tab", name="Typical patient", exact=True)
        tab.click()
        before = page.wait_for_selector("#typical-img").get_attribute("src")

        page.get_by_role("tab", name="Design", exact=True).click()
        _blur(page, DOSE_FIELD, "-1")  # the CLI's sentence, next to the field
        note = page.wait_for_selector(".tregsim-error[data-for=reg0_c0_dose]")
        with pytest.raises(Exception) as cli_error:
            load_scenario("phrc-2016", ["regimens.il2_pilot.courses.0.dose=-1"])
        assert note.inner_text() == str(cli_error.value)

        _blur(page, DOSE_FIELD, "4.5")
        _blur(page, "#population_n", "4")
        _blur(page, "#replicates", "10")
        page.wait_for_selector(".tregsim-error", state="detached")

        tab.click()  # the typical patient follows the new dose
        page.wait_for_function(
            "old => { const i = document.querySelector('#typical-img');"
            " return i !== null && i.src !== old; }",
            arg=before,
        )
        assert "solved in" in page.inner_text("#typical-timing")

        page.click("#run")
        page.get_by_role("tab", name="Results", exact=True).click()
        page.wait_for_selector("#fig-salt", timeout=120_000)
        header = page.inner_text("#results-header")
        assert "10 replicate trials of 4 patients" in header, header
        for name in ("salt", "responders", "treg", "primary", "scalp"):
            painted = page.eval_on_selector(f"#fig-{name}", "i => i.complete && i.naturalWidth")
            assert painted > 100, name
        if os.environ.get("TREGSIM_APP_SCREENSHOT"):
            page.screenshot(path=os.environ["TREGSIM_APP_SCREENSHOT"])

        page.get_by_role("tab", name="Export", exact=True).click()
        with page.expect_download() as download:
            page.click("#download_yaml")
        exported = tmp_path / "exported.yaml"
        download.value.save_as(exported)
        command = page.inner_text("#command_text")
        browser.close()

    assert not page_errors, page_errors
    data = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert data["regimens"]["il2_pilot"]["courses"][0]["dose"] == 4.5
    assert data["population"]["n"] == 4
    expected = load_scenario("phrc-2016", ["population.n=4"]).with_overrides(
        ["regimens.il2_pilot.courses.0.dose=4.5"]
    )
    assert load_scenario(str(exported)) == expected
    assert "--replicates 10" in command and "regimens.il2_pilot.courses.0.dose=4.5" in command

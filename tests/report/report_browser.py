"""Headless Chromium helpers shared by the browser test and the screenshot script."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# per figure: tag, natural/client size and whether it is actually painted
FIGURE_PROBE = """() => Array.from(document.querySelectorAll('figure img, figure svg')).map(e => {
  const r = e.getBoundingClientRect();
  const s = getComputedStyle(e);
  return {id: e.closest('figure').id, tag: e.tagName, width: r.width, height: r.height,
          natural: e.naturalWidth === undefined ? -1 : e.naturalWidth,
          complete: e.complete === undefined ? true : e.complete,
          visible: s.visibility !== 'hidden' && s.display !== 'none' && +s.opacity > 0};
})"""


def launch(playwright):
    """Chromium with networking side channels switched off."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def screenshot(html: Path, out_png: Path, width: int = 1366, height: int = 768) -> None:
    """Full-page screenshot of a report."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(html.resolve().as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=str(out_png), full_page=True)
        browser.close()


if __name__ == "__main__":
    # python tests/report/report_browser.py [out.png] -> docs/report-screenshot.png
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))
    from report_synthetic import synthetic_run

    from tregsim.report import write_report

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/report-screenshot.png")
    with tempfile.TemporaryDirectory() as tmp:
        html = write_report(*synthetic_run(replicates=50, n=80), Path(tmp) / "report.html")
        out.parent.mkdir(parents=True, exist_ok=True)
        screenshot(html, out, width=1366, height=768)
    print(out)

"""Time the Add New Credential overlay in Chromium, driven by Playwright.

Two intervals are measured with the page's own clock (``performance.now()``), so Playwright's
round trips are left out:

- open: from the click on Add Credential to the first field of the open dialog getting focus;
- save: from the click on Save to the first animation frame after the new tile is in the page.

Each repetition loads the Authenticate screen afresh and adds one credential with a new key, which
the server checks with the fake OpenRouter named by its OPENROUTER_BASE_URL.

    python -m benchmarks.browser --base-url http://127.0.0.1:PORT --cookie-name sessionid --cookie-value ... --out result.json
"""

import argparse
import json
import secrets
import statistics

from tests.browser.chromium import CHROMIUM_ARGS

AUTHENTICATE_PATH = "/sources/new/openrouter/"
TIMEOUT_MS = 15_000

# Installed before each measurement: capture-phase listeners record the click, the focus inside the
# open dialog, and the frame after a tile with the expected name appears.
INSTRUMENT = """
(tileName) => {
  const marks = {};
  window.benchmarkMarks = marks;
  document.addEventListener("click", (event) => {
    if (event.target.closest(".tile-add")) marks.addClick = performance.now();
    if (event.target.closest("dialog#modal button.primary[type=submit]")) marks.saveClick = performance.now();
  }, true);
  document.addEventListener("focusin", (event) => {
    const dialog = document.getElementById("modal");
    if (marks.focused === undefined && dialog.open && dialog.contains(event.target)) marks.focused = performance.now();
  }, true);
  const observer = new MutationObserver(() => {
    if (marks.tileShown !== undefined || marks.tileSeen) return;
    const tiles = document.querySelectorAll("#credential-tiles .tile-credential .tile-name");
    if (Array.from(tiles).some((tile) => tile.textContent.trim() === tileName)) {
      marks.tileSeen = true;
      requestAnimationFrame(() => { marks.tileShown = performance.now(); });
    }
  });
  observer.observe(document.body, { childList: true, subtree: true });
}
"""


def measure_once(page, base_url: str, number: int) -> dict:
    from playwright.sync_api import expect

    name = f"Browser benchmark {number:03d} {secrets.token_hex(3)}"
    page.goto(base_url + AUTHENTICATE_PATH)
    expect(page.get_by_role("heading", name="Authenticate")).to_be_visible()
    page.evaluate(INSTRUMENT, name)

    page.get_by_role("link", name="Add Credential").click()
    dialog = page.locator("dialog#modal")
    expect(dialog.get_by_label("Credential Name")).to_be_focused()
    page.wait_for_function("window.benchmarkMarks.focused !== undefined", timeout=TIMEOUT_MS)

    dialog.get_by_label("Credential Name").fill(name)
    dialog.get_by_label("Credential Description").fill("Added by the browser benchmark")
    dialog.get_by_label("API Key Value").fill("sk-or-v1-" + secrets.token_hex(32))
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator(".tile-credential", has_text=name)).to_be_visible()
    page.wait_for_function("window.benchmarkMarks.tileShown !== undefined", timeout=TIMEOUT_MS)

    marks = page.evaluate("window.benchmarkMarks")
    return {"open_ms": marks["focused"] - marks["addClick"], "save_ms": marks["tileShown"] - marks["saveClick"]}


def main() -> None:
    parser = argparse.ArgumentParser(description="Time opening the overlay and saving a credential in Chromium.")
    parser.add_argument("--base-url", required=True, help="Root URL of the app, on 127.0.0.1.")
    parser.add_argument("--cookie-name", required=True, help="Session cookie name.")
    parser.add_argument("--cookie-value", required=True, help="Session cookie of a signed-in user.")
    parser.add_argument("--repeats", type=int, default=10, help="Timed repetitions (default 10).")
    parser.add_argument("--warmup", type=int, default=2, help="Untimed repetitions first (default 2).")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium executable.")
    parser.add_argument("--out", required=True, help="JSON file for the results.")
    args = parser.parse_args()

    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=args.base_url)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([{"name": args.cookie_name, "value": args.cookie_value, "url": args.base_url}])
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        samples = [measure_once(page, args.base_url, number) for number in range(args.warmup + args.repeats)]
        browser.close()

    timed = samples[args.warmup :]
    open_times = [sample["open_ms"] for sample in timed]
    save_times = [sample["save_ms"] for sample in timed]
    results = {
        "repeats": args.repeats,
        "open_median_ms": statistics.median(open_times),
        "open_max_ms": max(open_times),
        "save_median_ms": statistics.median(save_times),
        "save_max_ms": max(save_times),
        "open_ms": open_times,
        "save_ms": save_times,
        "page_errors": errors,
    }
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(results, file, indent=2)


if __name__ == "__main__":
    main()

"""The web UI as a user sees it: Debian's Chromium driven by Playwright against
a live search-web on 127.0.0.1. Skipped, with the reason, when Chromium is
not installed (`apt-get install chromium`; CI installs it)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent / "screenshots"

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(seed_index):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "web.serve", "--index", str(seed_index), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("search-web did not start: " + proc.stdout.read().decode(errors="replace"))
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


def test_search_facets_document_and_back(server, browser):
    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    page.fill("#q", "импортозамещение")
    page.press("#q", "Enter")
    page.wait_for_selector("li.hit")
    assert page.locator("li.hit").count() == 2
    assert page.locator("#total").inner_text() == "2"
    marks = page.locator("li.hit mark").all_inner_texts()
    assert {"импортозамещения", "импортозамещение"} <= {m.lower() for m in marks}
    page.screenshot(path=str(SHOTS / "search.png"), full_page=True)

    # tick a region: results and counts change, the URL carries the state
    region = page.locator('section[data-facet="region"] a.fv[data-value="Хабаровский край"]')
    assert region.locator(".count").inner_text() == "1"
    year_counts_before = page.locator('section[data-facet="year"] .count').all_inner_texts()
    region.click()
    page.wait_for_url("**region=**")
    assert page.locator("#total").inner_text() == "1"
    assert page.locator("li.hit").count() == 1
    assert page.locator('section[data-facet="region"] a.fv[aria-checked="true"]').count() == 1
    assert page.locator('section[data-facet="year"] .count').all_inner_texts() != year_counts_before
    assert page.locator(".chip").count() == 1
    filtered_url = page.url
    page.screenshot(path=str(SHOTS / "filtered.png"), full_page=True)

    # open the document, then go back
    page.locator("li.hit h3 a").first.click()
    page.wait_for_selector("article.doc")
    assert "хартия" in page.locator("article.doc h1").inner_text()
    assert page.locator("article.doc mark").count() >= 4
    page.screenshot(path=str(SHOTS / "document.png"), full_page=True)
    page.go_back()
    page.wait_for_selector("li.hit")
    assert page.url == filtered_url
    assert page.locator("#total").inner_text() == "1"
    page.close()


def test_phone_width(server, browser):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(server + "/?q=%D1%8D%D0%BA%D1%81%D0%BF%D0%BE%D1%80%D1%82")
    page.wait_for_selector("li.hit")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 375, overflow
    assert page.locator("#q").is_visible()
    page.screenshot(path=str(SHOTS / "phone.png"), full_page=True)
    page.close()


def test_keyboard_only_search(server, browser):
    page = browser.new_page()
    page.goto(server + "/")
    page.focus("#q")
    page.keyboard.type("esportazione")
    page.keyboard.press("Enter")
    page.wait_for_selector("li.hit")
    assert page.locator("li.hit").count() >= 1
    page.close()


def test_official_page_from_a_hit(server, browser):
    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/?q=%D0%BC%D0%B5%D0%B4%D1%82%D0%B5%D1%85%D0%BD%D0%B8%D0%BA%D0%B0")  # медтехника: seed 001
    page.wait_for_selector("li.hit")
    page.locator('li.hit a.to-official[href*="%D0%94%D1%8E%D0%BC%D0%B8%D0%BD"]').first.click()
    page.wait_for_selector("article.official-page")
    assert page.locator("article.official-page h1").inner_text() == "Алексей Дюмин"
    assert page.locator("li.term").count() == 2 and page.locator("li.term.acting").count() == 1
    assert page.locator("li.term.acting .acting-mark").is_visible()
    assert page.locator("figure.timeline svg rect.bar").count() == 1
    assert page.locator(".with-regions .inferred-count").inner_text().endswith("1)")
    page.screenshot(path=str(SHOTS / "official.png"), full_page=True)
    # a region they appear with: the search filtered by both
    page.locator('.with-regions a.fv[data-value="Тульская область"]').click()
    page.wait_for_selector("li.hit")
    assert "official=" in page.url and "region=" in page.url
    assert page.locator("#total").inner_text() == "1"
    assert page.locator(".chip").count() == 2
    page.goto(server + "/official/%D0%90%D0%BB%D0%B5%D0%BA%D1%81%D0%B5%D0%B9")  # Алексей: two of them
    assert page.locator("a.official-link").count() == 2
    page.screenshot(path=str(SHOTS / "official-several.png"), full_page=True)
    page.close()

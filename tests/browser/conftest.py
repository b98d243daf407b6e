"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Chromium missing → the tests skip, except where ``MENTORAT_REQUIRE_BROWSER=1`` (``.ci/run``),
where a skip would hide a regression and is turned into a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("MENTORAT_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def _unavailable(reason):
    if os.environ.get("MENTORAT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required here but cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _checked_page(browser, live_server, **options):
    """A French page with ``options`` (viewport…); the test fails if the Content-Security-Policy
    blocked anything on it."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert blocked == [], f"blocked by the Content-Security-Policy: {blocked}"


@pytest.fixture
def page(browser, live_server):
    """A French page on a desktop screen; the test fails if the Content-Security-Policy blocked anything on it."""
    yield from _checked_page(browser, live_server, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(browser, live_server):
    """The same on a phone: 390 × 844 CSS pixels, touch, the mobile viewport meta tag honoured."""
    yield from _checked_page(browser, live_server, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                             is_mobile=True, has_touch=True)


def scrolls_sideways(page) -> bool:
    """True when the page is wider than the screen (a phone would scroll it sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core on the page; return the serious and critical violations."""
    # Evaluated through the DevTools protocol: the site's CSP forbids injected <script> tags.
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"
    )
    return [v for v in violations if v["impact"] in impacts]


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def follow_nav(page, href):
    """Click the navigation's link to ``href``, opening its drop-down menu first when it is in one."""
    link = page.locator(f"[data-testid=nav] a[href='{href}']")
    if not link.is_visible():
        link.locator("xpath=ancestor::li[contains(@class, 'dropdown')]/button").click()
    link.click()


@pytest.fixture
def demo(transactional_db):
    """The demo company and programmes of ``make run`` (``seed_demo``), its output kept quiet."""
    import io

    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())

"""Reflow (WCAG 2.2 SC 1.4.10): no page scrolls sideways at 320 CSS pixels, whoever is signed in."""

import pytest
from freezegun import freeze_time

from tests.conftest import ARTEFACTS
from tests.crawl import DEMO_NOW, DEMO_ROLES, crawl, demo_dataset, sign_in_demo_user

pytestmark = pytest.mark.browser

NARROW = 320

# Elements whose right or left edge is outside the viewport (or the page margins), unless a scrolling container of
# their own holds them (a wide table may scroll inside its labelled region: that is allowed by 1.4.10).
OUTSIDE_THE_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const style = getComputedStyle(el);
    // Grid rows reach into the gutters on purpose (negative margins; their columns pad back in), so
    // compare what is inside each box's padding.
    if (parseFloat(style.marginLeft) < 0 || parseFloat(style.marginRight) < 0) continue;
    const box = {
      left: rect.left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth),
      right: rect.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth),
    };
    // Inside the page's width container, nothing may run into its margins either.
    const container = el.parentElement && el.parentElement.closest('.govuk-width-container');
    const right = container ? container.getBoundingClientRect().right : width;
    const left = container ? container.getBoundingClientRect().left : 0;
    if (box.right <= right + 0.5 && box.left >= left - 0.5) continue;
    if (el.closest('.govuk-visually-hidden, .govuk-skip-link')) continue;
    let parent = el.parentElement, scrolls = false;
    while (parent && parent !== document.body) {
      if (getComputedStyle(parent).overflowX !== 'visible') { scrolls = true; break; }
      parent = parent.parentElement;
    }
    if (scrolls) continue;
    const name = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    found.push(`${name} from ${Math.round(box.left)} to ${Math.round(box.right)} px`);
  }
  return found.slice(0, 5);
}"""


def test_no_page_scrolls_sideways_at_320_css_pixels_for_any_role(app, mailbox, live_server, browser):
    # The site's clock starts at DEMO_NOW and runs on; Playwright's own timers keep the real one.
    with freeze_time(DEMO_NOW, tick=True, ignore=["playwright", "asyncio", "greenlet"]):
        _check_every_page_reflows(app, mailbox, live_server, browser)


def _check_every_page_reflows(app, mailbox, live_server, browser):
    demo_dataset(app, mailbox)
    ARTEFACTS.mkdir(exist_ok=True)
    problems = []
    visited = 0
    for role, email in DEMO_ROLES.items():
        person = app.test_client()
        if email:
            sign_in_demo_user(person, email, app.config["DEMO_PASSWORD"])
        paths = [page.path for page in crawl(app, person)]
        context = browser.new_context(base_url=live_server.url, viewport={"width": NARROW, "height": 640})
        page = context.new_page()
        page.set_default_timeout(10000)
        if email:
            page.goto("/sign-in")
            page.fill("#email", email)
            page.fill("#password", app.config["DEMO_PASSWORD"])
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/sign-in" not in url)
        for path in paths:
            page.goto(path)
            visited += 1
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            outside = page.evaluate(OUTSIDE_THE_VIEWPORT)
            if scroll_width > NARROW or outside:
                slug = "".join(c if c.isalnum() else "-" for c in f"{role}{path}")[:90]
                page.screenshot(path=str(ARTEFACTS / f"reflow-320-{slug}.png"), full_page=True)
                problems.append(f"{role} {path}: {scroll_width} px wide; {outside}")
        context.close()
    assert visited >= 60, f"only {visited} pages were visited: the crawl stopped following links"
    assert not problems, f"{len(problems)} pages do not reflow at {NARROW} px:\n" + "\n".join(problems)

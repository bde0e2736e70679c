"""Briefing mode by keyboard and screen reader, and on three screens: buttons do what they say,
Tab stays in the deck, slide changes are announced, and no text of a slide is off the screen."""

from __future__ import annotations

import pytest

from tests.browser.test_present import TITLES, active_title, counter

SIZES = [(1920, 1080), (1280, 720), (1024, 768)]

# Each text of the active slide (HTML text runs, chart SVG text) outside the screen, below the
# top of the button bar, or outside a box that clips it (overflow other than visible).
OUTSIDE = """
() => {
  const slide = document.querySelector('#present .slide.active');
  const barTop = document.querySelector('#present .present-bar').getBoundingClientRect().top;
  const out = [];
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || getComputedStyle(el).visibility === 'hidden' || getComputedStyle(el).display === 'none') continue;
    let rects;
    if (el instanceof SVGElement) { rects = [el.getBoundingClientRect()]; }
    else { const range = document.createRange(); range.selectNodeContents(n); rects = [...range.getClientRects()]; }
    let clip = {left: 0, top: 0, right: innerWidth, bottom: Math.min(innerHeight, barTop)};
    for (let a = el.parentElement; a && a !== slide.parentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
        const c = a.getBoundingClientRect();
        clip = {left: Math.max(clip.left, c.left), top: Math.max(clip.top, c.top),
                right: Math.min(clip.right, c.right), bottom: Math.min(clip.bottom, c.bottom)};
      }
    }
    for (const r of rects) {
      if (r.width < 1 || r.height < 1) continue;
      if (r.left < clip.left - 1 || r.right > clip.right + 1 || r.top < clip.top - 1 || r.bottom > clip.bottom + 1) {
        out.push([text.slice(0, 24), Math.round(r.left), Math.round(r.top), Math.round(r.right), Math.round(r.bottom)]);
      }
    }
  }
  return out;
}
"""

# The bar's items on one line: their vertical centres within a few pixels of each other.
BAR_ROWS = """
() => {
  const items = [...document.querySelectorAll('#present .present-bar > *, #present .present-export')]
    .filter(e => e.getBoundingClientRect().width > 0);
  const centres = items.map(e => { const r = e.getBoundingClientRect(); return (r.top + r.bottom) / 2; });
  const heights = [...document.querySelectorAll('#present .present-btn')].map(e => e.getBoundingClientRect().height);
  const line = parseFloat(getComputedStyle(document.querySelector('#present .present-btn')).lineHeight) ||
    1.5 * parseFloat(getComputedStyle(document.querySelector('#present .present-btn')).fontSize);
  return {spread: Math.max(...centres) - Math.min(...centres), tallest: Math.max(...heights), line: line};
}
"""


def focused(dashboard) -> str:
    return dashboard.page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e ? (e.dataset.go || e.textContent.trim() || e.tagName) : null; })()"
    )


def slide_number(dashboard) -> str:
    return dashboard.page.locator("#present").get_attribute("data-slide")


def test_enter_and_space_on_a_button_or_link_do_what_it_says(dashboard):
    dashboard.goto("/present?year=2023&slide=3")
    bar = dashboard.page.locator("#present .present-bar")
    bar.locator("[data-go=next]").focus()
    dashboard.page.keyboard.press("Enter")  # one step: the button's, not a second from the key
    assert dashboard.poll(lambda: active_title(dashboard), TITLES[3]) == TITLES[3] and counter(dashboard) == "4 / 8"
    bar.locator("[data-go=prev]").focus()
    dashboard.page.keyboard.press(" ")
    assert dashboard.poll(lambda: active_title(dashboard), TITLES[2]) == TITLES[2]

    with dashboard.page.expect_download() as download:  # an export link downloads; the slide stays
        bar.locator(".present-export", has_text="Excel").focus()
        dashboard.page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".xlsx") and active_title(dashboard) == TITLES[2]

    bar.locator("[data-go=theme]").focus()
    dashboard.act(lambda: dashboard.page.keyboard.press("Enter"))
    assert dashboard.query().get("theme") == ["contrast"] and active_title(dashboard) == TITLES[2]
    assert dashboard.poll(lambda: focused(dashboard), "theme") == "theme"  # focus is back on the button
    dashboard.page.keyboard.press(" ")
    assert dashboard.poll(lambda: dashboard.query().get("theme"), None) is None

    dashboard.page.locator("#present [data-go=exit]").focus()
    dashboard.act(lambda: dashboard.page.keyboard.press("Enter"))
    assert dashboard.path() == "/transfers" and dashboard.page.locator("#present").count() == 0
    dashboard.assert_clean()


def test_tab_starts_in_the_decks_bar_and_never_reaches_the_page_under_it(dashboard):
    dashboard.goto("/present?year=2023&slide=2")
    assert dashboard.page.evaluate("document.querySelector('#navbar').closest('[inert]') !== null")
    hidden = dashboard.page.locator("#present .slide:not(.active)")
    assert hidden.count() == len(TITLES) - 1
    assert all(hidden.nth(i).evaluate("s => s.inert") for i in range(hidden.count()))
    seen = []
    for _ in range(10):
        dashboard.page.keyboard.press("Tab")
        seen.append(
            dashboard.page.evaluate(
                "(() => { const e = document.activeElement;"
                " return [e.closest('#present .present-bar') ? 'bar' : e.closest('#present') ? 'deck' : e.tagName,"
                " e.dataset.go || e.textContent.trim()]; })()"
            )
        )
    names = ["prev", "next", "theme", "fullscreen", "exit", "PPTX", "PDF", "Excel"]
    assert seen[:8] == [["bar", name] for name in names], seen
    # Then out of the page (to the browser) and round again: never to the navbar's hidden links.
    assert all(where in ("bar", "BODY") for where, _ in seen), seen

    dashboard.page.locator("#present [data-go=exit]").focus()
    dashboard.act(lambda: dashboard.page.keyboard.press("Enter"))
    assert dashboard.page.evaluate("document.querySelector('#navbar').closest('[inert]') === null")
    dashboard.assert_clean()


def test_a_slide_change_is_announced_in_a_polite_live_region(dashboard):
    dashboard.goto("/present?year=2023")
    live = dashboard.page.locator("#present .present-live")
    assert live.get_attribute("aria-live") == "polite" and live.get_attribute("role") == "status"
    assert live.inner_text() == ""  # nothing said on arrival: the page title is
    dashboard.page.keyboard.press("ArrowRight")
    said = f"第 2 页，共 8 页：{TITLES[1]}"
    assert dashboard.poll(lambda: live.text_content(), said) == said
    dashboard.page.keyboard.press("End")
    said = f"第 8 页，共 8 页：{TITLES[7]}"
    assert dashboard.poll(lambda: live.text_content(), said) == said
    dashboard.assert_clean()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_text_of_any_slide_is_off_the_screen_and_the_bar_keeps_one_line(dashboard, tmp_path, width, height):
    dashboard.page.set_viewport_size({"width": width, "height": height})
    for theme in ("", "&theme=contrast"):
        dashboard.goto(f"/present?year=2023{theme}")
        dashboard.page.wait_for_timeout(500)  # responsive charts take the new size
        for k in range(1, len(TITLES) + 1):
            if k > 1:
                dashboard.page.keyboard.press("ArrowRight")
                dashboard.poll(lambda k=k: slide_number(dashboard), str(k))
                dashboard.page.wait_for_timeout(100)
            outside = dashboard.page.evaluate(OUTSIDE)
            assert outside == [], (width, height, theme, k, outside)
            bar = dashboard.page.evaluate(BAR_ROWS)
            assert bar["spread"] <= 4 and bar["tallest"] <= 2 * bar["line"], (width, height, bar)
            dashboard.page.screenshot(path=str(tmp_path / f"slide-{k}{theme and '-contrast'}.png"))
    if width == 1920:  # at 1080p the deck's unit is 24px: nothing smaller
        assert (
            dashboard.page.evaluate("parseFloat(getComputedStyle(document.querySelector('.slide-source')).fontSize)")
            >= 24
        )
    dashboard.assert_clean()

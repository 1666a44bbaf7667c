"""A filter change recolours the drawn map in place (assets/map-values.js): what it draws is what the map
drawn whole for the same address shows, location by location, and plotly.js's own state agrees with it."""
import pytest

pytestmark = pytest.mark.browser

# What a planner sees of the map, read from the page: each choropleth's locations with their fill and visible
# border (an outline of no width is drawn nowhere, wherever it is parked), the colour bar's texts, the hover
# texts plotly.js would show, and which province the visible outline is drawn round (by its path).
DRAWN = """() => {
  const gd = document.querySelector('#province-map .js-plotly-plot');
  const traces = Array.from(gd.querySelectorAll('.choroplethlayer .trace')).map(t =>
    Array.from(t.querySelectorAll('path.choroplethlocation'))
      .filter(p => parseFloat(p.style.strokeWidth) > 0)
      .map(p => [p.__data__.loc, p.getAttribute('fill'), p.style.stroke, p.style.strokeWidth]));
  const paths = {};
  gd.querySelectorAll('.choroplethlayer .trace:first-child path.choroplethlocation')
    .forEach(p => { paths[p.getAttribute('d')] = p.__data__.loc; });
  const outline = Array.from(gd.querySelectorAll('.choroplethlayer .trace path.choroplethlocation'))
    .filter(p => p.style.stroke === 'rgb(217, 95, 2)' && parseFloat(p.style.strokeWidth) > 0)
    .map(p => paths[p.getAttribute('d')] || 'a path of no province');
  return {traces, outline, bar: Array.from(gd.querySelectorAll('.colorbar text')).map(t => t.textContent),
          hover: gd._fullData.slice(0, 2).map(t => t.text)};
}"""

# Counts the map's redraws from a new figure (dcc.Graph calls Plotly.react with it).
COUNT_REDRAWS = """() => {
  window.__mapRedraws = 0;
  const react = window.Plotly.react;
  window.Plotly.react = function (gd) {
    if (gd && gd.closest && gd.closest('#province-map')) { window.__mapRedraws += 1; }
    return react.apply(this, arguments);
  };
}"""


def drawn_whole(browser, address: str) -> dict:
    """The map as a page opened at ``address`` draws it from its first layout."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page = ctx.new_page()
        page.goto(address)
        page.wait_for_selector("#province-map .choroplethlayer path", timeout=30000)
        return page.evaluate(DRAWN)
    finally:
        ctx.close()


def click_province(page, code: str) -> None:
    main = page.page.locator("#province-map .choroplethlayer .trace").first
    index = page.page.evaluate("code => document.querySelector('#province-map .js-plotly-plot')"
                               ".data[0].locations.indexOf(code)", code)
    main.locator("path.choroplethlocation").nth(index).click(force=True)
    page.wait_idle()


def test_a_filter_change_recolours_the_drawn_map_as_a_whole_drawing_would(app_server, browser, page):
    url, _, _ = app_server
    page.open(url + "/")
    page.page.evaluate(COUNT_REDRAWS)
    steps = [
        ("a sector", lambda: page.choose("filter-sector", "新材料", "sector=S3"), None),
        ("a province picked on the map", lambda: click_province(page, "330000"), "330000"),
        ("another province", lambda: click_province(page, "320000"), "320000"),
        ("the province cleared", lambda: click_province(page, "320000"), None),
        ("a level", lambda: page.choose("filter-level", "跨区域", "level=scope"), None),
    ]
    for what, act, outlined in steps:
        act()
        here = page.page.evaluate(DRAWN)
        assert page.page.evaluate("window.__mapRedraws") == 0, f"{what}: the map was redrawn, not recoloured"
        whole = drawn_whole(browser, page.page.url)
        assert here == whole, what
        assert here["outline"] == ([outlined] if outlined else []), what
    # Sanity of the comparison itself: the sector did change the colours and the colour bar.
    assert drawn_whole(browser, url + "/") != here
    assert page.errors == []


def test_plotly_redraws_the_recoloured_map_from_its_own_state_the_same(app_server, browser, page):
    url, _, _ = app_server
    page.open(url + "/")
    page.choose("filter-sector", "新材料", "sector=S3")
    click_province(page, "330000")
    recoloured = page.page.evaluate(DRAWN)
    # a redraw from plotly.js's calculated state (a relayout), then one from the figure's data alone
    page.page.evaluate("() => Plotly.relayout(document.querySelector('#province-map .js-plotly-plot'), "
                       "{'geo.bgcolor': 'rgba(0,0,0,0)'})")
    assert page.page.evaluate(DRAWN) == recoloured
    page.page.evaluate("""() => { const gd = document.querySelector('#province-map .js-plotly-plot');
                                  return Plotly.newPlot(gd, gd.data, gd.layout); }""")
    assert page.page.evaluate(DRAWN) == recoloured
    # and a narrower window: plotly.js redraws the map to its new size (and tells the page, whose sections
    # under the map arrived long ago), the same colours
    page.page.set_viewport_size({"width": 1100, "height": 900})
    page.wait_idle()
    assert page.page.evaluate(DRAWN) == recoloured
    assert page.errors == []


def test_a_change_that_gives_a_province_a_value_or_takes_it_away_redraws_the_map(app_server, browser, page):
    # a location quotient leaves a province with no consortia under the filters without a value: it has no
    # path to recolour, so the map is drawn again from its figure with the new values
    url, _, _ = app_server
    page.open(url + "/?sector=S3&metric=lq")
    valued = "() => document.querySelector('#province-map .js-plotly-plot').calcdata[0].filter(p => p.loc).length"
    before = page.page.evaluate(valued)
    page.page.evaluate(COUNT_REDRAWS)
    page.choose("filter-level", "跨区域", "level=scope")
    assert page.page.evaluate(valued) < before  # the case in point
    assert page.page.evaluate("window.__mapRedraws") == 1
    assert page.page.evaluate(DRAWN) == drawn_whole(browser, page.page.url)
    assert page.errors == []

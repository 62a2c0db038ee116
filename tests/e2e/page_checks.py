"""What every page must pass in the browser: no sideways scroll, no squeezed table cell, and
axe-core's WCAG 2.2 A/AA rules (color-contrast and target-size among them).

axe-core is vendored (tests/e2e/vendor/, see its README): the page's Content-Security-Policy
allows scripts from our own origin only, so the file is served at a path of the live server by
Playwright's router and added as an ordinary <script src>, which the CSP lets through.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

VENDOR = Path(__file__).parent / "vendor"
AXE_SOURCE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
AXE_PATH = "/__e2e__/axe.min.js"
# The WCAG 2.0, 2.1 and 2.2 success criteria of levels A and AA (axe-core's tags).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# Room for sub-pixel rounding; anything more is a real horizontal scroll.
OVERFLOW_TOLERANCE = 2


@dataclass(frozen=True)
class Problem:
    page: str
    rule: str
    element: str
    detail: str

    def __str__(self) -> str:
        return f"{self.page}: {self.rule} at {self.element}: {self.detail}"


def serve_axe(context, base_url: str) -> None:
    """Answer AXE_PATH on the live server's origin with the vendored axe-core (per browser context)."""
    context.route(
        f"{base_url}{AXE_PATH}",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=AXE_SOURCE),
    )


def axe_problems(page, base_url: str, name: str) -> list[Problem]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now, one Problem per element."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=f"{base_url}{AXE_PATH}")
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => ({
                target: n.target.join(' '), html: n.html.slice(0, 160), summary: n.failureSummary}))}));
        }""",
        WCAG_TAGS,
    )
    return [
        Problem(
            name,
            f"axe {violation['id']} ({violation['impact']})",
            node["target"],
            f"{node['html']} — {node['summary']}",
        )
        for violation in result
        for node in violation["nodes"]
    ]


def layout_problems(page, name: str) -> list[Problem]:
    """A page wider than the viewport, a main action (.btn-action) under 44 × 44 px, an empty choice
    reading "---------", and table cells narrower than two characters (2em)."""
    found = page.evaluate(
        r"""(tolerance) => {
            const out = [];
            const root = document.documentElement;
            if (root.scrollWidth > root.clientWidth + tolerance) {
                const wide = [...document.body.querySelectorAll('*')].filter(e =>
                    e.getBoundingClientRect().right > root.clientWidth + tolerance
                    && !e.closest('.table-responsive, .table-scroll'));
                const first = wide.find(e => ![...e.children].some(c => wide.includes(c))) || wide[0];
                out.push({rule: 'horizontal overflow', element: first ? first.outerHTML.slice(0, 120) : 'body',
                          detail: `page ${root.scrollWidth}px wide in a ${root.clientWidth}px viewport`});
            }
            for (const action of document.querySelectorAll('.btn-action')) {
                const box = action.getBoundingClientRect();
                if (box.width && (box.height < 44 - 0.5 || box.width < 44 - 0.5)) {
                    out.push({rule: 'main action smaller than 44 × 44 px', element: action.outerHTML.slice(0, 120),
                              detail: `${box.width.toFixed(1)} × ${box.height.toFixed(1)} px`});
                }
            }
            for (const option of document.querySelectorAll('select option')) {
                if (/^-{3,}$/.test(option.textContent.trim())) {
                    const select = option.closest('select');
                    out.push({rule: 'empty choice reads "---------" instead of 请选择',
                              element: select.outerHTML.slice(0, 120), detail: `select ${select.name}`});
                }
            }
            for (const cell of document.querySelectorAll('table td, table th')) {
                const box = cell.getBoundingClientRect();
                const hidden = [...cell.querySelectorAll('.visually-hidden')].map(e => e.textContent).join('');
                const shown = cell.textContent.replace(/\s/g, '').length - hidden.replace(/\s/g, '').length;
                if (box.width <= 1 || !box.height || shown <= 0) continue;
                const em = parseFloat(getComputedStyle(cell).fontSize);
                if (box.width < 2 * em - 0.5) {
                    out.push({rule: 'table cell narrower than 2em', element: cell.outerHTML.slice(0, 120),
                              detail: `${box.width.toFixed(1)}px wide at ${em}px font size`});
                }
            }
            return out;
        }""",
        OVERFLOW_TOLERANCE,
    )
    return [Problem(name, item["rule"], item["element"], item["detail"]) for item in found]


# Links that download a file, change state or leave the pages a person reads.
NOT_A_PAGE = re.compile(
    r"(export|template|attachment|photos\.zip|/photos/\d+/|certificate|download|\.docx|\.pdf|/status/|logout|/admin/|/read/)"
)


def page_kind(path: str) -> str:
    """What page a path opens (its URL name): one page of each kind is enough."""
    try:
        match = resolve(path)
    except Resolver404:
        return path
    return match.view_name


def menu_and_object_pages(
    page, base_url: str, *, seen: set[str] | frozenset[str] = frozenset(), depth: int = 2, limit: int = 40
) -> list[str]:
    """Paths of the menu's pages, then one page of each kind linked from them (up to `depth` links
    away) that is not in `seen` (kinds another role's pages covered)."""
    page.goto(f"{base_url}/")
    menu = page.eval_on_selector_all(
        "#main-nav a.nav-link[href], #main-nav a.dropdown-item[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    found: list[str] = []
    kinds: set[str] = set()

    def add(path: str, *, menu: bool = False) -> bool:
        path = urlsplit(path).path
        kind = page_kind(path)
        if not path.startswith("/") or NOT_A_PAGE.search(path) or kind in kinds:
            return False
        kinds.add(kind)
        if menu or kind not in seen:
            found.append(path)
        return True

    frontier = [path for path in ["/", *menu] if path != "#" and add(path, menu=True)]
    for _ in range(depth):
        following: list[str] = []
        for path in frontier:
            page.goto(f"{base_url}{path}")
            links = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
            following += [
                link for link in links if urlsplit(link).netloc in ("", urlsplit(base_url).netloc) and add(link)
            ]
            if len(found) >= limit:
                return found[:limit]
        frontier = following
    return found

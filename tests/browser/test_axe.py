"""axe-core (a local copy, installed by scripts/test.sh into tests/browser/node) finds no
serious or critical WCAG 2.1 AA violation on any page of the registry, nor in briefing mode
in either of its themes (the standard one and the projector's high contrast)."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.pages import PAGES, PRESENT_PATH

AXE = Path(__file__).resolve().parent / "node" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
VIEWS = [page.path for page in PAGES] + [PRESENT_PATH, PRESENT_PATH + "?theme=contrast"]

RUN = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').slice(0, 200)),
  }));
}
"""


def axe_violations(dashboard) -> list[dict]:
    """axe's WCAG 2.x A/AA violations of the page as it is now (every impact)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/test.sh (npm ci --prefix tests/browser/node)")
    dashboard.page.add_script_tag(path=str(AXE))
    return dashboard.page.evaluate(RUN, TAGS)


@pytest.mark.parametrize("path", VIEWS)
def test_no_serious_or_critical_violation(dashboard, path):
    dashboard.goto(path + ("&" if "?" in path else "?") + "year=2023")
    found = axe_violations(dashboard)
    blocking = [v for v in found if v["impact"] in BLOCKING]
    assert blocking == [], "\n".join(
        f"{v['impact']} {v['id']}: {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in blocking
    )
    dashboard.assert_clean()

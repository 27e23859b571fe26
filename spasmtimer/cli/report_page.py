"""The report as one printable, self-contained HTML page (docs/course.md, "The report").

Made with Jinja2, which escapes every value put in the page (a note holding ``<script>`` is
shown as those characters), and charts drawn by pygal as SVG inside the page: nothing to
fetch, no script (pygal's own is taken out: the page must work printed, and a page's policy
forbids scripts anyway), so that it prints the same anywhere and can be mailed as it is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from spasmtimer import __version__
from spasmtimer.course.course import Course
from spasmtimer.course.report import Report, trend_text
from spasmtimer.session.display import measured_text

TEMPLATES = Path(__file__).parent / "templates"
SVG = "{http://www.w3.org/2000/svg}"


def page(report: Report, course: Course, now: dt.datetime) -> str:
    """The report's HTML page."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        day=lambda d: f"{d:%a %d %b %Y}",
        when=lambda t: f"{t.astimezone():%a %d %b %H:%M}",
        percent=lambda share: "–" if share is None else f"{share:.0%}",
        trend=trend_text,
        pain=lambda value: "–" if value is None else str(value),
        measured=measured_text,  # as `history` says a time done: whole seconds, rounded down
    )
    return env.get_template("report.html").render(
        report=report,
        items=course.items,
        made=f"{now.astimezone():%a %d %b %Y %H:%M}",
        version=__version__,
        kept_chart=Markup(_kept_chart(report)) if _any_weeks(report) else "",
        pain_chart=Markup(_pain_chart(report)) if _any_pain(report) else "",
    )


def _any_weeks(report: Report) -> bool:
    return any(item.prescribed for week in report.weeks for item in week.items)


def _any_pain(report: Report) -> bool:
    return any(s.pain_before is not None or s.pain_after is not None for s in report.sessions)


def _chart_style() -> Any:
    from pygal.style import Style

    return Style(
        background="white",
        plot_background="white",
        foreground="#333",
        foreground_strong="#111",
        foreground_subtle="#999",
        colors=("#2f6fae", "#d08a2c", "#4c9a55", "#a24d8f", "#6b6b6b"),
        font_family="DejaVu Sans, Arial, sans-serif",
    )


def _kept_chart(report: Report) -> str:
    """The share of each item kept, week by week, as bars."""
    import pygal

    chart = pygal.Bar(
        **_options(),
        title="Share of the prescribed sessions kept, per week (%)",
        range=(0, 100),
    )
    chart.x_labels = [f"{week.monday:%d %b}" for week in report.weeks]
    programs = [item.program for item in report.weeks[0].items] if report.weeks else []
    for n, program in enumerate(programs):
        chart.add(
            program,
            [
                None if (share := week.items[n].share) is None else round(share * 100)
                for week in report.weeks
            ],
        )
    return _without_scripts(chart)


def _pain_chart(report: Report) -> str:
    """The pain before and after each session, in order."""
    import pygal

    chart = pygal.Line(
        **_options(), title="Pain before and after each session (0–10)", range=(0, 10)
    )
    rated = [s for s in report.sessions if s.pain_before is not None or s.pain_after is not None]
    chart.x_labels = [f"{s.started_at.astimezone():%d %b}" for s in rated]
    chart.x_labels_major_count = 10
    chart.show_minor_x_labels = False
    chart.add("before", [s.pain_before for s in rated])
    chart.add("after", [s.pain_after for s in rated])
    return _without_scripts(chart)


def _options() -> dict[str, Any]:
    return {
        "js": [],
        "disable_xml_declaration": True,
        "style": _chart_style(),
        "width": 900,
        "height": 320,
        "legend_at_bottom": True,
        "x_label_rotation": 30,
        "truncate_legend": -1,
    }


def _without_scripts(chart: Any) -> str:
    """The chart's SVG, without the script pygal adds for its tooltips (which would fetch its
    code from the web), as text for the page."""
    from pygal.etree import etree

    etree.to_etree()  # the standard library's, whether or not lxml is installed
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if child.tag in (f"{SVG}script", "script"):
                parent.remove(child)
    return ElementTree.tostring(tree, encoding="unicode")

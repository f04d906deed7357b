"""The parity dashboard: static HTML pages built from the marts with Plotly, read as the bi_reader role.

Pages (reports/dashboard/): `index.html` (women's share by entity and level against the parity band, entities at
parity per year under each rule), `trends.html` (each entity's trend and projected parity year, hiring parity)
`programmes.html` (beneficiaries by sex and age, funding by donor and by gender marker), `accountability.html`
(the frameworks' shares of ratings meeting requirements per year and dimension, priority indicators) and
`reporting.html` (who has sent what the reporting calendar expects, and what is outstanding). plotly.js is written
once beside the pages (plotly.min.js, from the plotly package): the pages work offline, with no CDN.

Text from the marts (entity codes, programme and indicator titles, donors) reaches a chart as data, never as
markup: every label is HTML-escaped before Plotly sees it (Plotly reads a few tags in labels; escaped, they show
as typed), and each chart's figure goes into its script as JSON whose `<`, `>` and `&` are \\u escapes, so no
value can end the script or open a tag. The page's Content-Security-Policy allows plotly.min.js and exactly these
scripts, by their sha256; inline styles are allowed because Plotly sets style attributes as it draws.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from gender_warehouse import db, files, reporting, settings
from gender_warehouse.roles import BI_READER
from gender_warehouse.site import STYLE, head, policy  # the reports' one look

PAGES = {
    "index.html": "Parity now",
    "trends.html": "Trends, projections and hiring",
    "programmes.html": "Programmes: beneficiaries and funding",
    "accountability.html": "Accountability frameworks: UN-SWAP and UNCT-SWAP ratings",
    "reporting.html": "Reporting status: who owes what",
}


def label(value: Any) -> str:
    """Text from the marts as Plotly shows it literally: its few tags (<b>, <a href>, <br>) escaped."""
    return html.escape("" if value is None else str(value), quote=False)


def rows(conn: Any, query: str) -> list[dict[str, Any]]:
    from psycopg.rows import dict_row

    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query).fetchall()


Band = tuple[float, float]


def parity_band(conn: Any) -> Band:
    """The default rule's band, as the marts state it (the seed ref_parity_rules is its one definition); before
    there is any figure, the band of 50/50 alone, drawn as a line."""
    found = rows(
        conn,
        "select parity_women_share_min::float as low, parity_women_share_max::float as high"
        " from marts.mart_entities_at_parity where is_default_rule limit 1",
    )
    return (found[0]["low"], found[0]["high"]) if found else (0.5, 0.5)


def percent(share: float) -> str:
    return f"{share * 100:g}%"


def latest_parity(conn: Any) -> list[dict[str, Any]]:
    return rows(
        conn,
        "select entity_code, population_code, population_type, population_rank, women_share::float as share,"
        " women, men, parity_status from marts.mart_parity_by_entity_level"
        " where is_latest_year_end and women_share is not null order by entity_code, population_rank",
    )


def share_by_entity(data: list[dict[str, Any]], band: Band) -> Any:
    import plotly.graph_objects as go

    professional = sorted(
        (r for r in data if r["population_code"] == "PROFESSIONAL_AND_HIGHER"), key=lambda r: r["share"]
    )
    colours = {"at parity": "#1b7f4a", "below parity": "#c0392b", "above parity": "#8e44ad"}
    figure = go.Figure(
        go.Bar(
            x=[r["share"] for r in professional],
            y=[label(r["entity_code"]) for r in professional],
            orientation="h",
            marker_color=[colours.get(r["parity_status"], "#7f8c8d") for r in professional],
            customdata=[[r["women"], r["men"], label(r["parity_status"])] for r in professional],
            hovertemplate="%{y}: %{x:.1%} women (%{customdata[0]} women, %{customdata[1]} men), %{customdata[2]}"
            "<extra></extra>",
        )
    )
    figure.add_vrect(x0=band[0], x1=band[1], fillcolor="#1b7f4a", opacity=0.12, line_width=0)
    figure.update_layout(
        title="Women's share of Professional and higher staff, latest 31 December, against the "
        f"{percent(band[0])}-{percent(band[1])} band",
        xaxis={"tickformat": ".0%", "range": [0, 1]},
        height=max(420, 22 * len(professional)),
        margin={"l": 110},
    )
    return figure


def share_by_level(data: list[dict[str, Any]], band: Band) -> Any:
    import plotly.graph_objects as go

    levels = sorted({(r["population_rank"], r["population_code"]) for r in data if r["population_type"] == "level"})
    entities = sorted({r["entity_code"] for r in data})
    cell = {(r["entity_code"], r["population_code"]): r["share"] for r in data if r["population_type"] == "level"}
    codes = [code for _rank, code in levels]
    figure = go.Figure(
        go.Heatmap(
            z=[[cell.get((e, c)) for c in codes] for e in entities],
            x=[label(c) for c in codes],
            y=[label(e) for e in entities],
            zmin=0,
            zmax=1,
            colorscale=[
                [0, "#c0392b"],
                [band[0], "#f6e3b4"],
                [sum(band) / 2, "#1b7f4a"],
                [band[1], "#f6e3b4"],
                [1, "#8e44ad"],
            ],
            colorbar={"title": "women", "tickformat": ".0%"},
            hovertemplate="%{y} %{x}: %{z:.1%} women<extra></extra>",
        )
    )
    figure.update_layout(title="Women's share by entity and level", height=max(420, 20 * len(entities)))
    return figure


def entities_at_parity(conn: Any) -> Any:
    import plotly.graph_objects as go

    data = rows(
        conn,
        "select snapshot_year, parity_rule_code, parity_rule_name, entities_at_parity, entities_reporting"
        " from marts.mart_entities_at_parity where population_code = 'PROFESSIONAL_AND_HIGHER'"
        " order by parity_rule_code, snapshot_year",
    )
    figure = go.Figure()
    for rule in sorted({r["parity_rule_code"] for r in data}):
        mine = [r for r in data if r["parity_rule_code"] == rule]
        figure.add_trace(
            go.Scatter(
                x=[r["snapshot_year"] for r in mine],
                y=[r["entities_at_parity"] for r in mine],
                mode="lines+markers",
                name=label(mine[0]["parity_rule_name"] or rule),
            )
        )
    figure.update_layout(title="Entities at parity per year (Professional and higher), under each rule")
    return figure


def trends(conn: Any, band: Band) -> Any:
    import plotly.graph_objects as go

    data = rows(
        conn,
        "select entity_code, snapshot_date, women_share::float as share from marts.mart_parity_by_entity_level"
        " where population_code = 'PROFESSIONAL_AND_HIGHER' and is_year_end"
        " and women_share is not null order by entity_code, snapshot_date",
    )
    figure = go.Figure()
    for entity in sorted({r["entity_code"] for r in data}):
        mine = [r for r in data if r["entity_code"] == entity]
        figure.add_trace(
            go.Scatter(
                x=[r["snapshot_date"] for r in mine], y=[r["share"] for r in mine], mode="lines", name=label(entity)
            )
        )
    figure.add_hrect(y0=band[0], y1=band[1], fillcolor="#1b7f4a", opacity=0.12, line_width=0)
    figure.update_layout(
        title="Each entity's women's share of Professional and higher staff (click names to show or hide)",
        yaxis={"tickformat": ".0%"},
        height=560,
    )
    return figure


def projections(conn: Any) -> Any:
    import plotly.graph_objects as go

    data = rows(
        conn,
        "select entity_code, women_share::float as share, projected_parity_year, projection_status,"
        " system_target_year from marts.mart_parity_projection where population_code = 'PROFESSIONAL_AND_HIGHER'"
        " order by projected_parity_year nulls last, entity_code",
    )
    figure = go.Figure(
        go.Table(
            header={"values": ["entity", "women now", "projected parity year", "projection", "system target"]},
            cells={
                "values": [
                    [label(r["entity_code"]) for r in data],
                    [f"{r['share']:.1%}" if r["share"] is not None else "" for r in data],
                    [r["projected_parity_year"] or "" for r in data],
                    [label(r["projection_status"]) for r in data],
                    [r["system_target_year"] for r in data],
                ]
            },
        )
    )
    figure.update_layout(title="Projected parity year of entities not at parity (Professional and higher)")
    return figure


def hiring(conn: Any, band: Band) -> Any:
    import plotly.graph_objects as go

    data = rows(
        conn,
        "select entity_code, event_year, women_share::float as share, women, men from marts.mart_hiring_parity"
        " where event_type = 'APPOINTMENT' and population_code = 'ALL_STAFF' and women_share is not null"
        " order by event_year, entity_code",
    )
    figure = go.Figure(
        go.Bar(
            x=[label(f"{r['entity_code']} {r['event_year']}") for r in data],
            y=[r["share"] for r in data],
            customdata=[[r["women"], r["men"]] for r in data],
            hovertemplate="%{x}: %{y:.1%} women (%{customdata[0]} women, %{customdata[1]} men)<extra></extra>",
        )
    )
    figure.add_hrect(y0=band[0], y1=band[1], fillcolor="#1b7f4a", opacity=0.12, line_width=0)
    figure.update_layout(title="Hiring parity: women's share of appointments", yaxis={"tickformat": ".0%"})
    return figure


def beneficiaries(conn: Any) -> Any:
    import plotly.graph_objects as go

    data = rows(
        conn,
        "select programme_title as programme, indicator_title, sex, age_group, actual_value::float as value"
        " from marts.mart_beneficiaries_by_sex_and_age order by programme_title, indicator_title, age_group, sex",
    )
    figure = go.Figure()
    for sex in ("F", "M", "X", "U", "TOTAL"):
        mine = [r for r in data if r["sex"] == sex]
        if mine:
            figure.add_trace(
                go.Bar(
                    x=[label(f"{(r['indicator_title'] or '')[:40]} ({r['age_group']})") for r in mine],
                    y=[r["value"] for r in mine],
                    name={"F": "women and girls", "M": "men and boys", "TOTAL": "total"}.get(sex, sex),
                    hovertext=[label(r["programme"]) for r in mine],
                )
            )
    figure.update_layout(
        title="Whom programmes reach: actual values by sex and age group", barmode="group", yaxis={"type": "log"}
    )
    return figure


def funding_by_donor(conn: Any) -> Any:
    import plotly.graph_objects as go

    data = rows(
        conn,
        "select donor, transaction_type, min(transaction_type_name) as name, sum(usd_amount)::float as usd"
        " from marts.mart_funding_by_donor group by donor, transaction_type having sum(usd_amount) > 0"
        " order by donor",
    )
    figure = go.Figure()
    for code in sorted({r["transaction_type"] for r in data}, key=int):  # each incoming type under IATI's name
        mine = [r for r in data if r["transaction_type"] == code]
        name = label(mine[0]["name"] or code)
        figure.add_trace(go.Bar(x=[label(r["donor"]) for r in mine], y=[r["usd"] for r in mine], name=name))
    figure.update_layout(
        title="Funding by donor, US$ (money passed on counted once)", barmode="group", yaxis={"tickformat": ",.0f"}
    )
    return figure


def funding_by_marker(conn: Any) -> Any:
    import plotly.graph_objects as go

    data = rows(
        conn,
        "select funding_year, sum(usd_significant_or_principal)::float as targeted,"
        " sum(usd_not_targeted)::float as not_targeted, sum(usd_without_gender_marker)::float as no_marker"
        " from marts.mart_funding_gender_share"
        " where record_kind = 'TRANSACTION' group by funding_year order by funding_year",
    )
    figure = go.Figure()
    for key, name in (
        ("targeted", "gender equality significant or principal"),
        ("not_targeted", "marked, not targeted"),
        ("no_marker", "no marker"),
    ):
        figure.add_trace(go.Bar(x=[r["funding_year"] for r in data], y=[r[key] for r in data], name=name))
    figure.update_layout(title="Funding by gender marker, US$", barmode="stack", yaxis={"tickformat": ",.0f"})
    return figure


def ratings_shares(conn: Any) -> Any:
    """Each framework's share of ratings meeting or exceeding requirements, year on year (every dimension)."""
    import plotly.graph_objects as go

    data = rows(
        conn,
        "select framework || ' ' || framework_version as framework, reporting_year,"
        " share_meeting_or_exceeding::float as share, ratings_counted, units_reporting"
        " from marts.mart_swap_performance where dimension_code = 'ALL' order by framework, reporting_year",
    )
    figure = go.Figure()
    for framework in sorted({r["framework"] for r in data}):
        mine = [r for r in data if r["framework"] == framework]
        figure.add_trace(
            go.Scatter(
                x=[r["reporting_year"] for r in mine],
                y=[r["share"] for r in mine],
                mode="lines+markers",
                name=label(framework),
                customdata=[[r["ratings_counted"], r["units_reporting"]] for r in mine],
                hovertemplate="%{x}: %{y:.0%} of %{customdata[0]} ratings, %{customdata[1]} units<extra></extra>",
            )
        )
    figure.update_layout(
        title="Share of ratings that meet or exceed requirements (not applicable left out)",
        yaxis={"tickformat": ".0%", "range": [0, 1]},
        xaxis={"dtick": 1},
    )
    return figure


def ratings_by_dimension(conn: Any) -> Any:
    """Per framework, dimension and year, the share meeting or exceeding: where the system is weak."""
    import plotly.graph_objects as go

    data = rows(
        conn,
        "select framework || ' ' || dimension_code || ' ' || dimension_name as dimension, reporting_year,"
        " share_meeting_or_exceeding::float as share from marts.mart_swap_performance"
        " where dimension_code <> 'ALL' order by framework, dimension_code, reporting_year",
    )
    dimensions = list(dict.fromkeys(r["dimension"] for r in data))
    years = sorted({r["reporting_year"] for r in data})
    cell = {(r["dimension"], r["reporting_year"]): r["share"] for r in data}
    figure = go.Figure(
        go.Heatmap(
            z=[[cell.get((d, y)) for y in years] for d in dimensions],
            x=[str(y) for y in years],
            y=[label(d) for d in dimensions],
            zmin=0,
            zmax=1,
            colorscale=[[0, "#c0392b"], [0.5, "#f6e3b4"], [1, "#1b7f4a"]],
            colorbar={"title": "meet or exceed", "tickformat": ".0%"},
            hovertemplate="%{y}, %{x}: %{z:.0%}<extra></extra>",
        )
    )
    figure.update_layout(
        title="Share meeting or exceeding requirements, by dimension",
        height=max(420, 24 * len(dimensions)),
        margin={"l": 360},
        yaxis={"autorange": "reversed", "dtick": 1},
    )
    return figure


def priority_indicators(conn: Any) -> Any:
    import plotly.graph_objects as go

    data = rows(
        conn,
        "select reporting_unit_name, reporting_year, indicator_code, indicator_title, lead_entities,"
        " baseline_rating_code, baseline_year, rating_code, progress_since_chosen"
        " from marts.mart_swap_priority_indicators order by reporting_year desc, reporting_unit, indicator_code",
    )
    figure = go.Figure(
        go.Table(
            header={"values": ["unit", "year", "indicator", "lead entities", "baseline", "now", "progress"]},
            cells={
                "values": [
                    [label(r["reporting_unit_name"]) for r in data],
                    [r["reporting_year"] for r in data],
                    [label(f"{r['indicator_code']} {r['indicator_title'] or ''}") for r in data],
                    [label(r["lead_entities"]) for r in data],
                    [label(f"{r['baseline_rating_code']} ({r['baseline_year']})") for r in data],
                    [label(r["rating_code"]) for r in data],
                    [label(r["progress_since_chosen"]) for r in data],
                ]
            },
        )
    )
    figure.update_layout(
        title="Priority indicators: lead entities and progress since chosen",
        height=max(300, min(1600, 100 + 70 * len(data))),  # titles wrap to three lines
    )
    return figure


def reporting_periods(data: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The (kind, data date) pairs the calendar expects, oldest first: the reporting charts' columns."""
    return sorted({(r["submission_kind"], r["as_of_date"]) for r in data}, key=lambda p: (p[1], p[0]))


def reporting_by_period(data: list[dict[str, Any]]) -> Any:
    """How many expected submissions have each status, per kind and the date their data is as of."""
    import plotly.graph_objects as go

    periods = reporting_periods(data)
    names = [label(f"{kind} {as_of}") for kind, as_of in periods]
    figure = go.Figure()
    for status, shown in reporting.STATUSES.items():
        counts = {p: 0 for p in periods}
        for r in data:
            if r["reporting_status"] == status:
                counts[(r["submission_kind"], r["as_of_date"])] += 1
        if any(counts.values()):
            figure.add_trace(go.Bar(x=names, y=list(counts.values()), name=label(status), marker_color=shown.colour))
    figure.update_layout(title="Expected submissions by status, per kind and data date", barmode="stack")
    return figure


def reporting_by_reporter(data: list[dict[str, Any]]) -> Any:
    """Each reporter's status for every period the calendar expects of it: a grid, one colour per status."""
    import plotly.graph_objects as go

    statuses = list(reporting.STATUSES)
    rank = {status: i for i, status in enumerate(statuses)}
    periods = reporting_periods(data)
    reporters = sorted({r["reporter_code"] for r in data}, reverse=True)  # A at the top
    cell = {(r["reporter_code"], r["submission_kind"], r["as_of_date"]): r for r in data}
    found = [[cell.get((who, *p)) for p in periods] for who in reporters]
    steps = max(len(statuses) - 1, 1)
    figure = go.Figure(
        go.Heatmap(
            z=[[rank[r["reporting_status"]] if r else None for r in line] for line in found],
            x=[label(f"{kind} {as_of}") for kind, as_of in periods],
            y=[label(who) for who in reporters],
            zmin=0,
            zmax=steps,
            colorscale=[[i / steps, reporting.STATUSES[s].colour] for i, s in enumerate(statuses)],
            showscale=False,
            customdata=[
                [
                    [label(r["reporting_status"]), r["days_late"] or r["days_overdue"] or 0] if r else ["", 0]
                    for r in line
                ]
                for line in found
            ],
            hovertemplate="%{y}, %{x}: %{customdata[0]} (%{customdata[1]} days)<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    figure.update_layout(
        title="Each reporter's status per period (hover for the status and the days late or overdue)",
        height=max(420, 20 * len(reporters)),
        margin={"l": 120},
        yaxis={"dtick": 1},  # every reporter named
    )
    return figure


def reporting_outstanding(data: list[dict[str, Any]]) -> Any:
    """The submissions still owed, most overdue first."""
    import plotly.graph_objects as go

    owed = reporting.outstanding(data)
    figure = go.Figure(
        go.Table(
            header={"values": ["kind", "data as of", "due", "reporter", "status", "days overdue", "last file sent"]},
            cells={
                "values": [
                    [label(r["submission_kind"]) for r in owed],
                    [str(r["as_of_date"]) for r in owed],
                    [str(r["due_date"]) for r in owed],
                    [label(reporting.reporter_label(r)) for r in owed],
                    [label(r["reporting_status"]) for r in owed],
                    [r["days_overdue"] or "" for r in owed],
                    [label(r["latest_file_name"] or "") for r in owed],
                ]
            },
        )
    )
    figure.update_layout(
        title=f"Outstanding: {len(owed)} of {len(data)} expected submissions, as of "
        + (str(data[0]["status_date"]) if data else "today"),
        height=max(300, min(1200, 60 + 28 * len(owed))),
    )
    return figure


def chart_script(figure: Any, div_id: str) -> str:
    """The script that draws one chart: its figure as JSON data, with every character that could end the script
    or start markup (<, >, &, and the two line separators JavaScript once refused) as a \\u escape."""
    spec = json.dumps({**json.loads(figure.to_json()), "config": {"responsive": True}}, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        spec = spec.replace(char, f"\\u{ord(char):04x}")
    return f'Plotly.newPlot("{div_id}",{spec});'


def page(title: str, figures: list[Any]) -> str:
    """A dashboard page: its charts, plotly.min.js beside it, and a policy naming each chart's script by hash."""
    nav = " ".join(f'<a href="{name}">{html.escape(text)}</a>' for name, text in PAGES.items())
    scripts = [chart_script(figure, f"chart-{i}") for i, figure in enumerate(figures)]
    charts = "\n".join(
        f'<section class="chart"><div id="chart-{i}" class="plotly-graph-div"></div><script>{script}</script></section>'
        for i, script in enumerate(scripts)
    )
    content_policy = policy(scripts=scripts, script_files=True, style_attributes=True)
    return (
        '<!doctype html><html lang="en">'
        + head(title, content_policy, STYLE + ".chart{margin:1.5rem 0}", '<script src="plotly.min.js"></script>')
        + f'<body><p><a href="../index.html">All reports</a> | {nav}</p><h1>{html.escape(title)}</h1>{charts}'
        + "</body></html>"
    )


def publish_dashboard(url: str, folder: Path | None = None) -> Path:
    """Write the dashboard's pages (and plotly.min.js beside them) into reports/dashboard/."""
    out = folder or settings.reports_dir() / "dashboard"
    out.mkdir(parents=True, exist_ok=True)
    with db.connect(url, role=BI_READER) as conn:
        parity, band = latest_parity(conn), parity_band(conn)
        content = {
            "index.html": [share_by_entity(parity, band), share_by_level(parity, band), entities_at_parity(conn)],
            "trends.html": [trends(conn, band), projections(conn), hiring(conn, band)],
            "programmes.html": [beneficiaries(conn), funding_by_donor(conn), funding_by_marker(conn)],
        }
        content["accountability.html"] = [ratings_shares(conn), ratings_by_dimension(conn), priority_indicators(conn)]
    statuses = reporting.status_rows(url, role=BI_READER) or []
    content["reporting.html"] = [
        reporting_by_period(statuses),
        reporting_outstanding(statuses),
        reporting_by_reporter(statuses),
    ]
    from plotly.offline import get_plotlyjs

    files.write_atomic(out / "plotly.min.js", get_plotlyjs())
    for name, figures in content.items():
        files.write_atomic(out / name, page(PAGES[name], figures))
    return out / "index.html"

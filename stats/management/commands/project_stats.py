"""`manage.py project_stats`: a committee's figures for a school year, as the dashboard shows them."""

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from activities.enums import AchievementLevel
from stats.management.command_options import committee_option, school_year_option
from stats.selectors import CommitteeStats, committee_stats


def stats_as_json(result: CommitteeStats) -> dict[str, Any]:
    """The command's JSON: committee totals and, per project, its targets, actuals and evidence."""
    return {
        "committee": result.committee.slug,
        "year": result.school_year,
        "computed_at": timezone.localtime(result.computed_at).isoformat(),
        "totals": result.totals,
        "projects": [
            {
                "title": project.title,
                "type": project.type_name,
                "group": project.group_name,
                "status": project.status,
                "indicators": [
                    {
                        "name": row["name"],
                        "unit": row["unit"],
                        "target": row["target"],
                        "actual": row["actual"],
                        "unplanned": row.get("unplanned", 0),
                    }
                    for row in project.figures["indicators"]
                ],
                "activities": project.figures["activities"],
                "photos": project.figures["photos"],
                "achievements_verified": project.figures["achievements_by_level"],
            }
            for project in result.projects
        ],
    }


def _figure(value: Any) -> str:
    return "—" if value is None else str(value)


class Command(BaseCommand):
    help = "Print a committee's statistics for a school year (the dashboard's figures) as a table or JSON."

    def add_arguments(self, parser):
        parser.add_argument("--committee", metavar="SLUG", help="Committee slug; optional when there is only one.")
        parser.add_argument(
            "--year", metavar="YEAR", help="School year, 2024-2025 or 2024; default: the latest with projects."
        )
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, committee: str | None = None, year: str | None = None, format: str = "table", **options):
        found = committee_option(committee)
        school_year = school_year_option(found, year)
        result = committee_stats(found, school_year)
        if format == "json":
            self.stdout.write(json.dumps(stats_as_json(result), ensure_ascii=False, indent=2))
        else:
            self._table(result)

    def _table(self, result: CommitteeStats) -> None:
        totals = result.totals
        computed = timezone.localtime(result.computed_at).strftime("%Y-%m-%d %H:%M")
        state = " (stale: edited since)" if result.stale else ""
        self.stdout.write(f"{result.committee.name} ({result.committee.slug}) {result.school_year}")
        self.stdout.write(f"computed at {computed}{state}")
        self.stdout.write(
            f"activities {totals['activities']} · person-times {totals['person_times']} · "
            f"members taking part {totals['members_participating']}/{totals['members']} "
            f"({_figure(totals['participation_rate'])}%) · beneficiaries {totals['beneficiaries']} · "
            f"hours {totals['hours']} · photos {totals['photos']} "
            f"(evidence {_figure(totals['evidence_coverage'])}%) · "
            f"verified achievements {totals['achievements_verified']}"
        )
        levels = dict(AchievementLevel.choices)
        for project in result.projects:
            figures = project.figures
            self.stdout.write("")
            self.stdout.write(f"{project.title} [{project.type_name} · {project.group_name} · {project.status_label}]")
            achieved = ", ".join(
                f"{levels[level]} {count}" for level, count in figures["achievements_by_level"].items() if count
            )
            self.stdout.write(
                f"  activities {figures['activities']} · photos {figures['photos']} · achievements {achieved or 0}"
            )
            for row in figures["indicators"]:
                self.stdout.write(
                    f"  {row['name']}: {row['actual']} / {_figure(row['target'])} {row['unit']}"
                    f" ({_figure(row['completion'])}%)"
                    + (f" + {row['unplanned']} 计划外" if row.get("unplanned") else "")
                )

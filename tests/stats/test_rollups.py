"""Honest roll-ups: a scope's completion counts only the projects that carry a target for the
indicator; what other projects did is shown beside it as 计划外完成, never added in."""

import datetime
from decimal import Decimal

from activities import activity_services
from projects.models import Indicator, ProjectTarget
from stats.aggregation import compute_figures
from tests.activities.conftest import in_progress_of, tutoring_data


def indicator_row(figures: dict, name: str) -> dict:
    return next(row for row in figures["indicators"] if row["name"] == name)


def test_completion_leaves_out_projects_without_a_target_for_the_indicator(leader_a, leader_b):
    targeted = in_progress_of(leader_a)  # 第一党小组: promises 116 微讲座, does none
    other = in_progress_of(leader_b)  # 第二党小组, same branch: promises none, gives 3
    lectures = Indicator.objects.get(committee_id=targeted.committee_id, name="微讲座/示范课")
    ProjectTarget.objects.create(project=targeted, indicator=lectures, target_value=Decimal(116))
    activity_services.activity_log_create(
        actor=leader_b,
        project=other,
        data=tutoring_data(
            other,
            date=datetime.date(2025, 11, 5),
            indicator_values=[activity_services.IndicatorValueData(lectures, Decimal(3))],
        ),
    )

    figures = compute_figures(targeted.committee_id, targeted.school_year)
    branch = indicator_row(figures[("branch", targeted.group.branch_id, None)], "微讲座/示范课")
    assert (branch["target"], branch["actual"], branch["unplanned"], branch["completion"]) == (116, 0, 3, 0.0)
    committee = indicator_row(figures[("committee", targeted.committee_id, None)], "微讲座/示范课")
    assert (committee["actual"], committee["unplanned"], committee["completion"]) == (0, 3, 0.0)
    # The untargeted project's own row: nothing against a target, its 3 apart.
    own = indicator_row(figures[("project", other.pk, None)], "微讲座/示范课")
    assert (own["target"], own["actual"], own["unplanned"], own["completion"]) == (None, 0, 3, None)
    # Months add up to the year, field by field.
    months = [figures[key] for key in figures if key[:2] == ("branch", targeted.group.branch_id) and key[2]]
    assert sum(indicator_row(month, "微讲座/示范课")["unplanned"] for month in months if month["indicators"]) == 3

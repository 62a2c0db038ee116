"""The committee's side of a generated school year: review score sheets of the applications,
achievements with their verification, and the year's published assessment.

Mixed into `bench.generate.DistrictGenerator`, whose `_bulk` writes the rows. Models are imported
in the methods, as there: the generator is imported before Django is set up (bench/run.py).
"""

import datetime
import random
from decimal import Decimal

from bench.district_shape import (
    ACHIEVEMENT_KINDS,
    ACHIEVEMENTS_PER_SCHOOL_YEAR,
    LEVELS,
    RANKS,
    SchoolPeople,
    school_year_dates,
)


class JudgementRows:
    def _reviews(self, projects: list, people: SchoolPeople, catalogue: dict, rng: random.Random) -> None:
        from projects.enums import ProjectStatus, Recommendation
        from projects.models import CriterionScore, ScoreSheet

        criteria = catalogue["criteria"]
        weight_sum = sum(c.weight for c in criteria)
        sheets, scores_for = [], []
        for project in projects:
            if project.status in (ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ProjectStatus.WITHDRAWN):
                continue
            reviewers = [m for m in people.committee_members[1:] if people.member_group[m] != project.group_id]
            if project.status == ProjectStatus.IN_REVIEW:
                reviewers = reviewers[:1]  # review under way: one sheet in, the rest still to come
            for reviewer in reviewers[:3]:
                scores = [Decimal(rng.randint(12, c.max_score)) for c in criteria]
                total = (
                    sum(s / c.max_score * c.weight for s, c in zip(scores, criteria, strict=True)) / weight_sum * 100
                )
                sheets.append(
                    ScoreSheet(
                        project=project,
                        reviewer_id=people.users[reviewer],
                        review_round=1,
                        recommendation=Recommendation.APPROVE if total >= 75 else Recommendation.APPROVE_AFTER_REVISION,
                        comment="目标明确，量化指标清楚。",
                        weighted_total=total.quantize(Decimal("0.01")),
                    )
                )
                scores_for.append(scores)
        sheets = self._bulk(ScoreSheet, sheets)
        self._bulk(
            CriterionScore,
            [
                CriterionScore(sheet=sheet, criterion=c, score=s)
                for sheet, scores in zip(sheets, scores_for, strict=True)
                for c, s in zip(criteria, scores, strict=True)
            ],
        )

    def _achievements(
        self, people: SchoolPeople, public: list, school_year: str, factor: float, rng: random.Random
    ) -> None:
        from activities.models import Achievement

        first_day, last_day = school_year_dates(school_year)
        span = (last_day - first_day).days
        secretary = people.users[people.committee_members[0]]
        achievements, winners = [], []
        for n in range(max(1, round(ACHIEVEMENTS_PER_SCHOOL_YEAR * factor))):
            project = rng.choice(public) if public and rng.random() < 0.7 else None
            roll = rng.random()
            status = "verified" if roll < 0.85 else ("pending" if roll < 0.95 else "rejected")
            kind = rng.choice(ACHIEVEMENT_KINDS)
            members = people.group_members[project.group_id] if project else people.members
            picked = rng.sample(members, rng.randint(1, 2))
            achievements.append(
                Achievement(
                    committee_id=people.committee_id,
                    kind=kind,
                    title=f"{kind}成果{n + 1}",
                    level=rng.choice(LEVELS),
                    rank=rng.choice(RANKS) if kind == "award" else "none",
                    issuing_body="区教委",
                    awarded_on=first_day + datetime.timedelta(days=rng.randint(0, span)),
                    project=project,
                    status=status,
                    recorded_by_id=people.users[picked[0]],
                    verified_by_id=secretary if status != "pending" else None,
                    rejection_reason="证书信息不全，请补充。" if status == "rejected" else "",
                )
            )
            winners.append(picked)
        achievements = self._bulk(Achievement, achievements)
        through = Achievement.members.through
        self._bulk(
            through,
            [
                through(achievement_id=a.pk, member_id=m)
                for a, picked in zip(achievements, winners, strict=True)
                for m in picked
            ],
            "activities_achievement_members",
        )

    def _assessment(self, people: SchoolPeople, public: list, school_year: str, rng: random.Random) -> None:
        from django.utils import timezone

        from yearend.enums import AssessmentStatus
        from yearend.models import (
            AssessmentCriterion,
            AssessmentResult,
            AssessmentRound,
            AssessmentScore,
            AssessmentSheet,
        )

        secretary = people.users[people.committee_members[0]]
        assessment_round = AssessmentRound.objects.create(
            committee_id=people.committee_id,
            school_year=school_year,
            status=AssessmentStatus.PUBLISHED,
            opened_by_id=secretary,
            published_by_id=secretary,
            published_at=timezone.make_aware(datetime.datetime(int(school_year[5:]), 7, 5, 10)),
        )
        criteria = self._bulk(
            AssessmentCriterion,
            [
                AssessmentCriterion(assessment_round=assessment_round, name=name, max_score=20, position=n)
                for n, name in enumerate(["目标达成", "过程规范", "党员参与", "成果实效", "示范推广"])
            ],
        )
        sheets, scores_for, means = [], [], {}
        for project in public:
            assessors = [m for m in people.committee_members if people.member_group[m] != project.group_id][:3]
            totals = []
            for assessor in assessors:
                scores = [Decimal(rng.randint(10, 20)) for _ in criteria]
                total = sum(scores) / Decimal(len(criteria) * 20) * 100
                totals.append(total)
                sheets.append(
                    AssessmentSheet(
                        assessment_round=assessment_round,
                        project=project,
                        assessor_id=people.users[assessor],
                        comment="按计划完成，成效明显。",
                        weighted_total=total.quantize(Decimal("0.01")),
                    )
                )
                scores_for.append(scores)
            means[project.pk] = (sum(totals) / len(totals)).quantize(Decimal("0.01"))
        sheets = self._bulk(AssessmentSheet, sheets)
        self._bulk(
            AssessmentScore,
            [
                AssessmentScore(sheet=sheet, criterion=c, score=s)
                for sheet, scores in zip(sheets, scores_for, strict=True)
                for c, s in zip(criteria, scores, strict=True)
            ],
        )
        ranked = sorted(means.items(), key=lambda item: -item[1])
        self._bulk(
            AssessmentResult,
            [
                AssessmentResult(
                    assessment_round=assessment_round,
                    project_id=project_id,
                    sheet_count=3,
                    mean=mean,
                    rating=assessment_round.rating_for(mean),
                    rank=rank,
                )
                for rank, (project_id, mean) in enumerate(ranked, start=1)
            ],
        )

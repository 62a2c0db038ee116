"""A synthetic district for the benchmarks: schools with five school years of micro-projects.

    python bench/generate.py --size small|district [--seed N]

``small`` is one school; ``district`` is 50 schools of 3 branches × 6 groups each, five school
years, about 300,000 activity logs, 1,000,000 indicator values, 100,000 photo rows, 20,000
achievements, review score sheets and published year-end assessments. Schools differ in size
(a factor from 0.4 to 1.6 of the average), so the largest school of the district holds more
than the one school of ``small``; that is the school the page benchmarks log in to.

The catalogue comes from the project's own demo service (`projects.demo.seed_catalogue`); the
volume rows are bulk inserted, one school per transaction. The same seed gives the same rows
on SQLite and PostgreSQL. Photo rows point at files that do not exist: pages only link them.
The database must be empty and migrated (bench/run.py makes a fresh one).
"""

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python bench/generate.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.district_shape import (
    ACTIVITY_TITLES,
    ACTIVITY_TYPES,
    BATCH,
    BRANCHES_PER_SCHOOL,
    CURRENT_YEAR,
    GIVEN,
    GROUPS_PER_BRANCH,
    LOGS_PER_PROJECT,
    MEMBERS_PER_GROUP,
    PASSWORD,
    PLACES,
    SCHOOL_YEARS,
    SIZES,
    SUBJECTS,
    SURNAMES,
    SchoolPeople,
    school_factor,
    school_year_dates,
)
from bench.generate_judgements import JudgementRows


class DistrictGenerator(JudgementRows):
    def __init__(self, size: str, seed: int, log=print) -> None:
        from django.contrib.auth.hashers import make_password

        self.size = size
        self.seed = seed
        self.log = log
        self.schools = SIZES[size]
        self.password_hash = make_password(PASSWORD)
        self.counts: dict[str, int] = {}

    def _count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def _bulk(self, model, rows: list, name: str | None = None) -> list:
        created = model.objects.bulk_create(rows, batch_size=BATCH)
        self._count(name or model._meta.db_table, len(rows))
        return created

    def run(self) -> dict[str, Any]:
        from branches.models import District
        from members.models import User

        started = time.perf_counter()
        committees = []
        page_school = None
        for index in range(self.schools):
            factor = school_factor(index, self.schools)
            people = self._school(index, factor)
            committees.append(people.committee_id)
            if page_school is None or factor >= page_school[0]:
                page_school = (factor, people)
            self.log(f"school {index + 1}/{self.schools} (×{factor:.2f}) done at {time.perf_counter() - started:.0f} s")
        overseer = User.objects.create(
            username="bench-district", password=self.password_hash, first_name="区教委党工委"
        )
        district = District.objects.create(name="基准测试教育片区", slug="bench-district")
        district.committees.set(committees)
        district.overseers.set([overseer])
        people = page_school[1]
        return {
            "size": self.size,
            "seed": self.seed,
            "schools": self.schools,
            "school_years": SCHOOL_YEARS,
            "seconds": round(time.perf_counter() - started, 1),
            "rows": dict(sorted(self.counts.items())),
            "page_school": {"committee_id": people.committee_id, "factor": page_school[0], **people.usernames},
            "district_login": overseer.username,
        }

    # One school -------------------------------------------------------------------------

    def _school(self, index: int, factor: float) -> SchoolPeople:
        from django.db import transaction

        rng = random.Random(f"{self.seed}:{index}")
        with transaction.atomic():
            people = self._organisation(index, rng)
            catalogue = self._catalogue(people.committee_id)
            for school_year in SCHOOL_YEARS:
                self._year(people, catalogue, school_year, factor, rng)
        return people

    def _organisation(self, index: int, rng: random.Random) -> SchoolPeople:
        from branches.models import Branch, Committee, Group
        from members.enums import CommitteeRole
        from members.models import Member, User

        number = index + 1
        committee = Committee.objects.create(
            slug=f"bench-{number:02d}", school_name=f"基准第{number}小学", name=f"基准第{number}小学党委"
        )
        people = SchoolPeople(committee_id=committee.pk)
        branches = self._bulk(
            Branch,
            [
                Branch(committee=committee, name=f"第{position}党支部", position=position)
                for position in range(1, BRANCHES_PER_SCHOOL + 1)
            ],
        )
        groups = self._bulk(
            Group,
            [
                Group(branch=branch, name=f"第{(b * GROUPS_PER_BRANCH) + g}党小组", position=g)
                for b, branch in enumerate(branches)
                for g in range(1, GROUPS_PER_BRANCH + 1)
            ],
        )
        prefix = f"s{number:02d}"
        users, members = [], []
        for g, group in enumerate(groups):
            for m in range(MEMBERS_PER_GROUP):
                serial = g * MEMBERS_PER_GROUP + m
                name = f"{SURNAMES[serial % len(SURNAMES)]}{GIVEN[serial // len(SURNAMES)]}"
                users.append(User(username=f"{prefix}-t{serial + 1:03d}", password=self.password_hash, first_name=name))
                members.append(
                    Member(
                        committee=committee,
                        name=name,
                        gender=rng.choice("MF"),
                        subject=rng.choice(SUBJECTS),
                        joined_party_on=datetime.date(rng.randint(1990, 2022), rng.randint(1, 12), 1),
                        group=group,
                        is_active=rng.random() > 0.03 or m == 0,
                    )
                )
        users = self._bulk(User, users)
        for user, member in zip(users, members, strict=True):
            member.user_id = user.pk
        # The secretary and four committee members sit in the first five groups.
        for seat in range(5):
            member = members[seat * MEMBERS_PER_GROUP + 1]
            member.committee_role = CommitteeRole.SECRETARY if seat == 0 else CommitteeRole.MEMBER
            member.is_active = True
        members = self._bulk(Member, members)
        for member in members:
            people.members.append(member.pk)
            people.users[member.pk] = member.user_id
            people.group_members.setdefault(member.group_id, []).append(member.pk)
            people.member_group[member.pk] = member.group_id
        people.committee_members = [members[seat * MEMBERS_PER_GROUP + 1].pk for seat in range(5)]
        for b, branch in enumerate(branches):
            branch.secretary_id = members[b * GROUPS_PER_BRANCH * MEMBERS_PER_GROUP + 2].pk
        Branch.objects.bulk_update(branches, ["secretary"])
        for g, group in enumerate(groups):
            group.leader_id = members[g * MEMBERS_PER_GROUP].pk
        Group.objects.bulk_update(groups, ["leader"])
        username = {member.pk: user.username for member, user in zip(members, users, strict=True)}
        people.usernames = {
            "secretary": username[people.committee_members[0]],
            "committee_member": username[people.committee_members[1]],
            "branch_secretary": username[branches[0].secretary_id],
            "leader": username[groups[0].leader_id],
            "teacher": username[members[3].pk],
        }
        return people

    def _catalogue(self, committee_id: int) -> dict[str, Any]:
        from branches.models import Committee
        from projects.demo import seed_catalogue
        from projects.models import Indicator, ProjectType, RubricCriterion

        seed_catalogue(Committee.objects.get(pk=committee_id))
        types = list(ProjectType.objects.filter(committee_id=committee_id).order_by("position"))
        indicators = list(Indicator.objects.filter(committee_id=committee_id).order_by("position"))
        return {
            "types": types,
            "indicators": {
                project_type.pk: [i.pk for i in indicators if i.project_type_id in (project_type.pk, None)]
                for project_type in types
            },
            "criteria": list(RubricCriterion.objects.filter(committee_id=committee_id).order_by("position")),
        }

    # One school year of one school ---------------------------------------------------------

    def _year(self, people: SchoolPeople, catalogue: dict, school_year: str, factor: float, rng: random.Random) -> None:
        from django.utils import timezone

        from activities.models import ActivityLog, IndicatorValue, Photo
        from projects.enums import ProjectStatus
        from projects.models import MicroProject, ProjectTarget

        current = school_year == CURRENT_YEAR
        first_day, last_day = school_year_dates(school_year)
        span = (last_day - first_day).days
        types = catalogue["types"]
        decided = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time(9)))
        projects = []
        for g, (group_id, member_ids) in enumerate(people.group_members.items()):
            project_type = types[(g + int(school_year[:4])) % len(types)]
            projects.append(
                MicroProject(
                    committee_id=people.committee_id,
                    group_id=group_id,
                    project_type=project_type,
                    title=f"{school_year[:4]}学年“{project_type.name}”党建微项目（第{g + 1}党小组）",
                    school_year=school_year,
                    background="党小组调研发现的需求与学校中心工作。",
                    goals="服务学生、引领帮扶、志愿服务。",
                    expected_achievements="量化指标见项目目标。",
                    status=(ProjectStatus.IN_PROGRESS if g % 4 else ProjectStatus.APPROVED)
                    if current
                    else ProjectStatus.CONCLUDED,
                    created_by_id=people.users[member_ids[0]],
                    submitted_at=decided - datetime.timedelta(days=20),
                    decided_at=decided,
                )
            )
        # Applications that never became projects: refused ones in past years, in review now.
        other_statuses = (
            [ProjectStatus.SUBMITTED] * 3
            + [ProjectStatus.IN_REVIEW] * 3
            + [ProjectStatus.RETURNED, ProjectStatus.DRAFT]
            if current
            else [ProjectStatus.REJECTED, ProjectStatus.WITHDRAWN]
        )
        group_ids = list(people.group_members)
        for n, status in enumerate(other_statuses):
            group_id = group_ids[(n * 5 + 3) % len(group_ids)]
            projects.append(
                MicroProject(
                    committee_id=people.committee_id,
                    group_id=group_id,
                    project_type=types[n % len(types)],
                    title=f"{school_year[:4]}学年申报项目{n + 1}",
                    school_year=school_year,
                    background="申报背景。",
                    goals="项目目标。",
                    status=status,
                    created_by_id=people.users[people.group_members[group_id][0]],
                    submitted_at=None if status == ProjectStatus.DRAFT else decided,
                )
            )
        projects = self._bulk(MicroProject, projects)
        public = [
            p
            for p in projects
            if p.status in (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.CONCLUDED)
        ]
        enrolled = MicroProject.participants.through
        self._bulk(
            enrolled,
            [enrolled(microproject_id=p.pk, member_id=m) for p in projects for m in people.group_members[p.group_id]],
            "projects_microproject_participants",
        )
        targets = []
        for project in projects:
            for indicator_id in catalogue["indicators"][project.project_type_id]:
                targets.append(
                    ProjectTarget(project=project, indicator_id=indicator_id, target_value=Decimal(rng.randint(5, 120)))
                )
        self._bulk(ProjectTarget, targets)
        self._events(projects, people)
        self._reviews(projects, people, catalogue, rng)

        logs, values_for, participants_for, photos_for = [], [], [], []
        for project in public:
            members = people.group_members[project.group_id]
            type_name = next(t.name for t in types if t.pk == project.project_type_id)
            indicator_ids = catalogue["indicators"][project.project_type_id]
            count = max(1, round(LOGS_PER_PROJECT * factor * rng.uniform(0.6, 1.4)))
            for _ in range(count):
                activity_type = rng.choice(ACTIVITY_TYPES[type_name])
                logs.append(
                    ActivityLog(
                        project=project,
                        date=first_day + datetime.timedelta(days=rng.randint(0, span)),
                        activity_type=activity_type,
                        title=ACTIVITY_TITLES[activity_type],
                        place=rng.choice(PLACES),
                        beneficiaries_count=rng.randint(0, 60),
                        beneficiaries=rng.choice(["学困生", "成员校教师", "家长", "社区居民", ""]),
                        duration_hours=Decimal(rng.randint(1, 16)) / 2,
                        narrative="党员教师按计划开展活动，留存过程资料。",
                        created_by_id=people.users[members[0]],
                        is_archived=rng.random() < 0.02,
                    )
                )
                picked = rng.sample(indicator_ids, min(len(indicator_ids), 3 + (rng.random() < 1 / 3)))
                values_for.append([(i, Decimal(rng.randint(1, 40))) for i in picked])
                participants_for.append(rng.sample(members, rng.randint(2, 4)))
                photos_for.append(0 if rng.random() < 0.78 else rng.randint(1, 2))
        # The page school's gallery benchmark opens an activity with a full photo wall.
        if public:
            photos_for[0] = 30
        logs = self._bulk(ActivityLog, logs)
        values, taking_part, photos = [], [], []
        through = ActivityLog.participants.through
        for log, log_values, log_members, photo_count in zip(
            logs, values_for, participants_for, photos_for, strict=True
        ):
            values.extend(IndicatorValue(activity_id=log.pk, indicator_id=i, value=v) for i, v in log_values)
            taking_part.extend(through(activitylog_id=log.pk, member_id=m) for m in log_members)
            for n in range(photo_count):
                stem = f"bench/{people.committee_id}/{log.pk}-{n}"
                photos.append(
                    Photo(
                        activity_id=log.pk,
                        uploaded_by_id=people.users[log_members[0]],
                        original=f"activities/photos/{stem}.jpg",
                        original_name=f"IMG_{log.pk:06d}_{n}.jpg",
                        caption="" if n else log.title,
                        width=4000,
                        height=3000,
                        display_small=f"activities/photos/display/{stem}-s.jpg",
                        display_large=f"activities/photos/display/{stem}-l.jpg",
                        is_archived=rng.random() < 0.03,
                    )
                )
        self._bulk(IndicatorValue, values)
        self._bulk(through, taking_part, "activities_activitylog_participants")
        self._bulk(Photo, photos)
        self._achievements(people, public, school_year, factor, rng)
        if not current:
            self._assessment(people, public, school_year, rng)

    def _events(self, projects: list, people: SchoolPeople) -> None:
        from projects.enums import EventAction, ProjectStatus
        from projects.models import ProjectEvent

        secretary = people.users[people.committee_members[0]]
        steps = {
            ProjectStatus.DRAFT: [(EventAction.CREATED, "", ProjectStatus.DRAFT)],
            ProjectStatus.SUBMITTED: [(EventAction.SUBMITTED, ProjectStatus.DRAFT, ProjectStatus.SUBMITTED)],
            ProjectStatus.IN_REVIEW: [(EventAction.REVIEW_STARTED, ProjectStatus.SUBMITTED, ProjectStatus.IN_REVIEW)],
            ProjectStatus.RETURNED: [(EventAction.RETURNED, ProjectStatus.IN_REVIEW, ProjectStatus.RETURNED)],
            ProjectStatus.REJECTED: [(EventAction.REJECTED, ProjectStatus.IN_REVIEW, ProjectStatus.REJECTED)],
            ProjectStatus.WITHDRAWN: [(EventAction.WITHDRAWN, ProjectStatus.SUBMITTED, ProjectStatus.WITHDRAWN)],
            ProjectStatus.APPROVED: [(EventAction.APPROVED, ProjectStatus.IN_REVIEW, ProjectStatus.APPROVED)],
            ProjectStatus.IN_PROGRESS: [
                (EventAction.APPROVED, ProjectStatus.IN_REVIEW, ProjectStatus.APPROVED),
                (EventAction.STARTED, ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS),
            ],
            ProjectStatus.CONCLUDED: [
                (EventAction.APPROVED, ProjectStatus.IN_REVIEW, ProjectStatus.APPROVED),
                (EventAction.STARTED, ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS),
                (EventAction.CONCLUDED, ProjectStatus.IN_PROGRESS, ProjectStatus.CONCLUDED),
            ],
        }
        events = []
        for project in projects:
            events.append(
                ProjectEvent(
                    project=project,
                    actor_id=project.created_by_id,
                    action=EventAction.CREATED,
                    to_status=ProjectStatus.DRAFT,
                    review_round=1,
                )
            )
            for action, before, after in steps[project.status]:
                if action == EventAction.CREATED:
                    continue
                events.append(
                    ProjectEvent(
                        project=project,
                        actor_id=secretary,
                        action=action,
                        from_status=before,
                        to_status=after,
                        review_round=1,
                    )
                )
        self._bulk(ProjectEvent, events)


def generate(size: str, *, seed: int = 2024, log=print) -> dict[str, Any]:
    """Fill the (empty, migrated) database with a synthetic ``size`` district; returns a summary."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: one of {', '.join(SIZES)}")
    return DistrictGenerator(size, seed, log).run()


def setup_django() -> None:
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    setup_django()
    import json

    print(json.dumps(generate(args.size, seed=args.seed, log=lambda line: print(line, file=sys.stderr)), indent=2))


if __name__ == "__main__":
    main()

"""Demo catalogue and projects: the article's three micro-projects and a few applications in review.

Idempotent: catalogue rows are keyed by name, projects by (group, title, school year); an
existing project is left as it is.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from branches.models import Committee, Group
from members.models import User

from . import calendar_services, review_selectors, review_services, services
from .enums import EventAction, OrganisationType, ProjectStatus, Recommendation
from .models import Indicator, MicroProject, ProjectEvent, ProjectType, RubricCriterion, ScoreSheet
from .rules import has_conflict_of_interest

PROJECT_TYPES = [
    ("帮扶暖心", OrganisationType.SERVICE, "结对帮扶学困生、送教下乡、志愿服务、捐赠图书，塑造服务型党组织。"),
    ("学习+成长", OrganisationType.LEARNING, "微党课、专题学习、技能竞赛，建设学习型党组织。"),
    ("校家社联合教育", OrganisationType.INNOVATION, "家长学校、心理健康教育、课题研究、学生习作，建设创新型党组织。"),
]

# (name, unit, project type name or None for all types)
INDICATORS = [
    ("微讲座/示范课", "次", "帮扶暖心"),
    ("一对一助学", "人次", "帮扶暖心"),
    ("蹲点结对帮扶", "人次", "帮扶暖心"),
    ("社区志愿服务", "人次", "帮扶暖心"),
    ("一线服务", "天", "帮扶暖心"),
    ("捐赠图书", "册", "帮扶暖心"),
    ("送教下乡", "次", "帮扶暖心"),
    ("微党课", "次", "学习+成长"),
    ("专题学习", "次", "学习+成长"),
    ("发表文章", "篇", "学习+成长"),
    ("竞赛获奖", "项", "学习+成长"),
    ("家长学校讲座", "次", "校家社联合教育"),
    ("心理健康培训", "次", "校家社联合教育"),
    ("心理咨询服务", "人次", "校家社联合教育"),
    ("课题立项", "项", "校家社联合教育"),
    ("学生习作", "字", "校家社联合教育"),
    ("参与党员", "人", None),
]

# (name, description, max score, weight)
RUBRIC = [
    ("目标明确", "目标具体、可衡量，与学校中心工作结合紧密。", 20, Decimal("1.00")),
    ("方案可行", "阶段安排合理，分工明确，资源有保障。", 20, Decimal("1.00")),
    ("党建引领", "体现党小组战斗堡垒和党员先锋模范作用。", 20, Decimal("1.50")),
    ("预期成效", "惠及师生、家长和社区，成效可检验。", 20, Decimal("1.00")),
    ("特色创新", "形式新颖，有推广价值。", 20, Decimal("0.50")),
]


def seed_catalogue(committee: Committee) -> None:
    """Project types, indicators and the review rubric of a committee (existing rows are kept)."""
    types = {}
    for position, (name, organisation_type, description) in enumerate(PROJECT_TYPES, start=1):
        types[name], _ = ProjectType.objects.get_or_create(
            committee=committee,
            name=name,
            defaults={"organisation_type": organisation_type, "description": description, "position": position},
        )
    for position, (name, unit, type_name) in enumerate(INDICATORS, start=1):
        Indicator.objects.get_or_create(
            committee=committee,
            name=name,
            defaults={"unit": unit, "project_type": types.get(type_name), "position": position},
        )
    for position, (name, description, max_score, weight) in enumerate(RUBRIC, start=1):
        RubricCriterion.objects.get_or_create(
            committee=committee,
            name=name,
            defaults={"description": description, "max_score": max_score, "weight": weight, "position": position},
        )


SCHOOL_YEAR = "2024-2025"
# 实施五年来: the article's projects ran in each of the five school years before the article's
# year, each year a little smaller than the next (the share of the article year's figures).
PAST_YEARS = {"2019-2020": 0.55, "2020-2021": 0.65, "2021-2022": 0.75, "2022-2023": 0.85, "2023-2024": 0.95}

# The article's three projects: (group, type, title, background, goals, achievements, targets)
ARTICLE_PROJECTS = [
    (
        "第一党小组",
        "帮扶暖心",
        "“帮扶暖心”党建微项目",
        "第一、二党小组通过对部分学困生的调查和走访发现，学困生需要持续的个别辅导；"
        "学校作为大坪小学教育集团的龙头校，还承担对三所成员校的帮扶和送教下乡任务。",
        "“爱孤助残”，服务学生；引领帮扶，志愿服务。党员与学困生结对帮扶、对口领雁，"
        "到成员校蹲点结对，到社区和抗疫一线志愿服务，为贫困地区送书。",
        "党员微讲座、示范课 60 次以上；一对一助学 80 人次以上；成员校蹲点结对帮扶 70 人次以上；"
        "社区志愿服务 65 人次；一线服务 20 天以上；捐赠图书 2000 册以上；“美术工作坊”指导区县教师参赛获奖。",
        [
            ("微讲座/示范课", 60),
            ("一对一助学", 80),
            ("蹲点结对帮扶", 70),
            ("社区志愿服务", 65),
            ("一线服务", 20),
            ("捐赠图书", 2000),
        ],
    ),
    (
        "第三党小组",
        "学习+成长",
        "“学习+成长”党建微项目",
        "第三、四党小组年轻党员多，需要夯实学习平台、丰富学习形式，塑造党员先锋品格。",
        "开展讲座式、讨论式、互助式学习，建立网上党建专题栏目和党员学习交流群；"
        "以微党课《论英雄，做先锋》为代表，开展“师说师德”“我的教学故事”等反应式学习。",
        "微党课进年级、进社区、进街道；党员文章在人民网、学习强国发表；党员教师在区级以上竞赛获奖。",
        [("微党课", 6), ("专题学习", 12), ("发表文章", 2), ("竞赛获奖", 4)],
    ),
    (
        "第五党小组",
        "校家社联合教育",
        "“校家社联合教育”党建微项目",
        "第五、六党小组结合党员教师特点，承担“校家社联合教育”试点，将项目实施与心理健康教育紧密结合。",
        "开办家长学校，开展“心理健康”系列专题培训，开设“大苹果树洞”学生心理咨询室；"
        "以课题领航，开展英语绘本阅读教学研究和“小作家”创编研究。",
        "家长学校讲座与心理健康培训常态化；市级重点课题立项；培育学生“小作家”，学生习作累计 16 万字以上。",
        [("家长学校讲座", 8), ("心理健康培训", 6), ("课题立项", 1), ("学生习作", 160000)],
    ),
]

# Applications at other stages, so that every screen has content.
OTHER_APPLICATIONS = [
    ("第二党小组", "帮扶暖心", "“美术工作坊”领雁帮扶", "submitted"),
    ("第四党小组", "学习+成长", "“我的教学故事”青年党员成长营", "returned"),
    ("第六党小组", "校家社联合教育", "自创室内体育活动进家庭", "draft"),
]

REVIEW_COMMENTS = {
    "committee1": ("目标明确，量化指标清楚，建议加强过程记录。", Recommendation.APPROVE),
    "committee2": ("方案可行，党员参与面广，具有示范意义。", Recommendation.APPROVE),
    # The secretary scores only where a committee member abstains, so each decision has two scores.
    "secretary": ("同意，注意积累过程性材料。", Recommendation.APPROVE),
}
DEMO_QUORUM = 2


def _application(
    committee: Committee,
    group: Group,
    type_name: str,
    title: str,
    background: str,
    goals: str,
    achievements: str,
    targets: list[tuple[str, int]],
    school_year: str = SCHOOL_YEAR,
) -> services.ApplicationData:
    indicators = {indicator.name: indicator for indicator in Indicator.objects.filter(committee=committee)}
    year = int(school_year[:4])
    participants = list(group.members.filter(is_active=True))
    sibling = Group.objects.filter(branch=group.branch).exclude(pk=group.pk).first()
    if sibling is not None:
        # The article's pairs of groups run each project together; committee officers of the
        # other group stay out so that they can review it without a conflict of interest.
        participants += list(sibling.members.filter(is_active=True, committee_role="")[:3])
    return services.ApplicationData(
        title=title,
        school_year=school_year,
        project_type=ProjectType.objects.get(committee=committee, name=type_name),
        background=background,
        goals=goals,
        expected_achievements=achievements,
        participants=participants,
        phases=[
            services.PhaseData(
                "调研与动员", datetime.date(year, 9, 1), datetime.date(year, 9, 30), "走访调研，制定方案"
            ),
            services.PhaseData("全面实施", datetime.date(year, 10, 1), datetime.date(year + 1, 5, 31), "按月开展活动"),
            services.PhaseData(
                "总结提炼", datetime.date(year + 1, 6, 1), datetime.date(year + 1, 7, 10), "整理成果，总结经验"
            ),
        ],
        targets=[services.TargetData(indicators[name], Decimal(value)) for name, value in targets],
    )


def _score_all(project: MicroProject, committee: Committee, seed: int) -> None:
    criteria = review_selectors.active_criteria(committee.pk)
    scored = 0
    for offset, username in enumerate(("committee1", "committee2", "secretary")):
        reviewer = User.objects.get(username=username)
        if scored == DEMO_QUORUM or has_conflict_of_interest(reviewer, project):
            continue  # e.g. a participant of the project abstains
        scored += 1
        comment, recommendation = REVIEW_COMMENTS[username]
        scores = {criterion.pk: Decimal(16 + (seed + offset + index) % 4) for index, criterion in enumerate(criteria)}
        review_services.score_record(
            actor=reviewer, project=project, scores=scores, recommendation=recommendation, comment=comment
        )


def _seed_calendar(secretary: User, year: str) -> None:
    """The school's rule for the year: two committee members' scores suffice, logs by the 5th."""
    calendar_services.calendar_save(
        actor=secretary,
        school_year=year,
        data=calendar_services.CalendarData(review_quorum=DEMO_QUORUM, logging_due_day=5),
    )


@transaction.atomic
def seed_past_year_projects(committee: Committee, year: str, share: float) -> None:
    """The article's three projects in an earlier school year, approved and in progress, with smaller targets.

    `activities.demo` seeds them, logs their activities and concludes them (after seed_projects).
    """
    secretary = User.objects.get(member__committee=committee, member__committee_role="secretary")
    groups = {
        group.name: group
        for group in Group.objects.filter(branch__committee=committee).select_related("leader__user", "branch")
    }
    _seed_calendar(secretary, year)
    for seed, (group_name, type_name, title, background, goals, achievements, targets) in enumerate(ARTICLE_PROJECTS):
        group = groups[group_name]
        if MicroProject.objects.filter(group=group, title=title, school_year=year).exists():
            continue
        leader = group.leader.user
        scaled = [(name, max(1, round(value * share))) for name, value in targets]
        data = _application(committee, group, type_name, title, background, goals, achievements, scaled, year)
        project = services.project_create(actor=leader, group=group, data=data)
        project = services.project_submit(actor=leader, project=project)
        _score_all(project, committee, seed + int(year[:4]))
        review_services.project_decide(actor=secretary, project=project, decision="approve", comment="同意立项。")
        services.project_start(actor=leader, project=project)


# When, in an earlier demo year, each step of a project happened: (months after 1 September, day).
PAST_YEAR_STEPS = {
    EventAction.CREATED: (0, 8),
    EventAction.SUBMITTED: (0, 10),
    EventAction.REVIEW_STARTED: (0, 18),
    EventAction.SCORED: (0, 18),
    EventAction.APPROVED: (0, 25),
    EventAction.STARTED: (1, 8),
    EventAction.CONCLUDED: (10, 10),
}


def _past_moment(school_year: str, step: tuple[int, int]) -> datetime.datetime:
    months, day = step
    year, month = int(school_year[:4]) + (8 + months) // 12, (8 + months) % 12 + 1
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


def date_past_year_history(project: MicroProject) -> None:
    """An earlier year's project, seeded today through the services, gets its history in its own
    year: applied and approved in September, started in October, concluded in July. Without it
    the year's summary would say the project was still running at the year's end (its 结项 dated
    today), and its timeline would show five years of work done on one day."""
    moments = {action: _past_moment(project.school_year, step) for action, step in PAST_YEAR_STEPS.items()}
    for action, moment in moments.items():
        ProjectEvent.objects.filter(project=project, action=action).update(created_at=moment)
    ScoreSheet.objects.filter(project=project).update(
        created_at=moments[EventAction.SCORED], updated_at=moments[EventAction.SCORED]
    )
    MicroProject.objects.filter(pk=project.pk).update(
        created_at=moments[EventAction.CREATED],
        submitted_at=moments[EventAction.SUBMITTED],
        decided_at=moments[EventAction.APPROVED],
        updated_at=moments[EventAction.CONCLUDED],
    )


@transaction.atomic
def seed_projects(committee: Committee) -> None:
    """The catalogue, the article's three projects (approved, in progress) and three applications."""
    seed_catalogue(committee)
    secretary = User.objects.get(member__committee=committee, member__committee_role="secretary")
    groups = {
        group.name: group
        for group in Group.objects.filter(branch__committee=committee).select_related("leader__user", "branch")
    }
    _seed_calendar(secretary, SCHOOL_YEAR)
    _seed_calendar(secretary, "2025-2026")
    for seed, (group_name, type_name, title, background, goals, achievements, targets) in enumerate(ARTICLE_PROJECTS):
        group = groups[group_name]
        if MicroProject.objects.filter(group=group, title=title, school_year=SCHOOL_YEAR).exists():
            continue
        leader = group.leader.user
        data = _application(committee, group, type_name, title, background, goals, achievements, targets)
        project = services.project_create(actor=leader, group=group, data=data)
        project = services.project_submit(actor=leader, project=project)
        _score_all(project, committee, seed)
        review_services.project_decide(
            actor=secretary,
            project=project,
            decision="approve",
            comment="同意立项。请按计划推进，及时记录活动与成果。",
            share_reviewer_comments=True,
        )
        services.project_start(actor=leader, project=project)

    for seed, (group_name, type_name, title, stage) in enumerate(OTHER_APPLICATIONS, start=10):
        group = groups[group_name]
        if MicroProject.objects.filter(group=group, title=title, school_year="2025-2026").exists():
            continue
        leader = group.leader.user
        data = _application(
            committee,
            group,
            type_name,
            title,
            f"{group.name}结合本组党员特点提出申报。",
            f"围绕“{title}”开展系列活动，发挥党员先锋模范作用。",
            "形成活动记录、案例和成果汇编。",
            [("参与党员", 6)],
            school_year="2025-2026",
        )
        project = services.project_create(actor=leader, group=group, data=data)
        if stage == ProjectStatus.DRAFT:
            continue
        services.project_submit(actor=leader, project=project)
        if stage == ProjectStatus.RETURNED:
            _score_all(project, committee, seed)
            review_services.project_decide(
                actor=secretary,
                project=project,
                decision="return",
                comment="请细化各阶段的活动安排，补充可量化的目标值后重新提交。",
                share_reviewer_comments=True,
            )


def seed_demo_step(committees: list[Committee]) -> None:
    """The projects' part of the demo: 大坪小学's catalogue and projects, 红岩小学's catalogue."""
    daping, hongyan = committees
    seed_projects(daping)
    seed_catalogue(hongyan)

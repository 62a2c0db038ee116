"""The demo schools: 大坪小学 as the article describes it, and a small 红岩小学 beside it.

Everything goes through the services and is keyed by natural keys, so running it twice
changes nothing. members builds the organisation and the district; the apps above it add
their part of the demo (catalogue, projects, activities, ...) as steps registered in their
``AppConfig.ready()``, which `seed_demo` runs in that order.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from branches import services as branch_services
from branches.demo import seed_district
from branches.models import Committee, Group

from . import services
from .enums import CommitteeRole, Gender, PartyStatus

DEMO_PASSWORD = "dangjian2024"


@dataclass(frozen=True)
class DemoPerson:
    name: str
    gender: str
    subject: str
    title: str = "一级教师"
    status: str = PartyStatus.FULL
    joined: int = 2010
    login: str = ""


F, M = Gender.FEMALE, Gender.MALE
# Groups of 大坪小学, in order; the first person listed is the group leader.
# Named people come from the article; the others make realistic group sizes.
DAPING_GROUPS: list[tuple[str, list[DemoPerson]]] = [
    (
        "第一党支部",
        [
            DemoPerson("袁懿", F, "数学", "高级教师", joined=2003, login="leader1"),
            DemoPerson("张玺", M, "语文", "一级教师", joined=2012, login="teacher1"),
            DemoPerson("王丽娟", F, "语文", "高级教师", joined=2001, login="branch1"),
            DemoPerson("陈思远", M, "科学", "二级教师", PartyStatus.PROBATIONARY, joined=2025),
            DemoPerson("李晓燕", F, "数学", "一级教师", joined=2014),
            DemoPerson("赵婷婷", F, "英语", "二级教师", PartyStatus.ACTIVIST, joined=0),
        ],
    ),
    (
        "第一党支部",
        [
            DemoPerson("冉菁", F, "美术", "高级教师", joined=2006, login="leader2"),
            DemoPerson("张宗信", M, "数学", "一级教师", joined=2011, login="teacher2"),
            DemoPerson("刘洋", M, "体育", "一级教师", joined=2013),
            DemoPerson("黄雅琴", F, "音乐", "一级教师", joined=2016),
            DemoPerson("周晓梅", F, "语文", "二级教师", joined=2019),
        ],
    ),
    (
        "第二党支部",
        [
            DemoPerson("张敏", F, "语文", "一级教师", joined=2012, login="leader3"),
            DemoPerson("张月", F, "道德与法治", "二级教师", joined=2018, login="teacher3"),
            DemoPerson("刘琼蔚", F, "语文", "一级教师", joined=2015),
            DemoPerson("曾昕", F, "语文", "一级教师", joined=2016),
            DemoPerson("吴佳", F, "英语", "二级教师", PartyStatus.PROBATIONARY, joined=2025),
            DemoPerson("孙浩", M, "信息科技", "二级教师", joined=2020),
        ],
    ),
    (
        "第二党支部",
        [
            DemoPerson("郑殷青立", F, "数学", "高级教师", joined=2008, login="leader4"),
            DemoPerson("尹雪", F, "英语", "一级教师", joined=2014, login="teacher4"),
            DemoPerson("唐春", F, "数学", "一级教师", joined=2013),
            DemoPerson("陈立新", M, "数学", "高级教师", joined=1999, login="committee1"),
            DemoPerson("罗晓峰", M, "科学", "高级教师", joined=2002, login="branch2"),
            DemoPerson("何静", F, "语文", "二级教师", joined=2021),
            DemoPerson("马骏", M, "体育", "二级教师", PartyStatus.ACTIVIST, joined=0),
        ],
    ),
    (
        "第三党支部",
        [
            DemoPerson("许若黎", F, "心理健康", "一级教师", joined=2015, login="leader5"),
            DemoPerson("刘燕怡", F, "英语", "高级教师", joined=2007, login="teacher5"),
            DemoPerson("喻书丹", F, "英语", "一级教师", joined=2017),
            DemoPerson("杨慧", F, "语文", "高级教师", joined=2000, login="branch3"),
            DemoPerson("谢文斌", M, "数学", "一级教师", joined=2012),
            DemoPerson("邓小琳", F, "音乐", "二级教师", PartyStatus.PROBATIONARY, joined=2025),
        ],
    ),
    (
        "第三党支部",
        [
            DemoPerson("熊绪杨", M, "语文", "高级教师", joined=2005, login="leader6"),
            DemoPerson("徐帆", M, "体育", "一级教师", joined=2014, login="teacher6"),
            DemoPerson("周文静", F, "语文", "高级教师", joined=1998, login="committee2"),
            DemoPerson("范丽", F, "数学", "一级教师", joined=2010),
            DemoPerson("唐海波", M, "美术", "二级教师", joined=2022),
        ],
    ),
]
GROUP_NAMES = ["第一党小组", "第二党小组", "第三党小组", "第四党小组", "第五党小组", "第六党小组"]
BRANCH_SECRETARY_LOGINS = {"第一党支部": "branch1", "第二党支部": "branch2", "第三党支部": "branch3"}
COMMITTEE_MEMBER_LOGINS = ("committee1", "committee2")

HONGYAN_GROUPS: list[tuple[str, list[DemoPerson]]] = [
    (
        "红岩小学党支部",
        [
            DemoPerson("谭明", M, "数学", "高级教师", joined=2004, login="hy-leader1"),
            DemoPerson("冯秀英", F, "语文", "一级教师", joined=2013, login="hy-teacher1"),
            DemoPerson("韩雪", F, "英语", "二级教师", joined=2019),
        ],
    ),
    (
        "红岩小学党支部",
        [
            DemoPerson("曹建华", M, "语文", "一级教师", joined=2009),
            DemoPerson("彭丽", F, "科学", "一级教师", joined=2015),
            DemoPerson("蒋文", M, "体育", "二级教师", joined=2020),
        ],
    ),
]


def _person_data(person: DemoPerson, group: Group | None) -> services.MemberData:
    return services.MemberData(
        name=person.name,
        gender=person.gender,
        subject=person.subject,
        professional_title=person.title,
        party_status=person.status,
        joined_party_on=datetime.date(person.joined, 7, 1) if person.joined else None,
        group=group,
    )


def _seed_groups(committee: Committee, layout: list[tuple[str, list[DemoPerson]]], group_names: list[str]) -> None:
    branch_names = list(dict.fromkeys(branch_name for branch_name, _ in layout))
    branches = {
        name: branch_services.branch_ensure(committee=committee, name=name, position=index)
        for index, name in enumerate(branch_names, start=1)
    }
    for index, ((branch_name, people), group_name) in enumerate(zip(layout, group_names, strict=True), start=1):
        group = branch_services.group_ensure(branch=branches[branch_name], name=group_name, position=index)
        for person_index, person in enumerate(people):
            member, _ = services.member_upsert(committee=committee, data=_person_data(person, group))
            if person.login:
                services.member_login_ensure(member=member, username=person.login, password=DEMO_PASSWORD)
            if person_index == 0:
                branch_services.group_set_leader(group=group, leader=member)
            if person.login in COMMITTEE_MEMBER_LOGINS:
                services.member_set_committee_role(member=member, role=CommitteeRole.MEMBER)
            if BRANCH_SECRETARY_LOGINS.get(branch_name) == person.login or (person.login == "hy-leader1"):
                branch_services.branch_set_secretary(branch=branches[branch_name], secretary=member)


def seed_daping() -> Committee:
    committee = branch_services.committee_ensure(
        slug="daping", school_name="重庆市渝中区大坪小学校", name="中共重庆市渝中区大坪小学校委员会"
    )
    secretary, _ = services.member_upsert(
        committee=committee,
        data=services.MemberData(
            name="李雪梅",
            gender=F,
            subject="语文",
            professional_title="高级教师",
            joined_party_on=datetime.date(1996, 7, 1),
        ),
    )
    services.member_set_committee_role(member=secretary, role=CommitteeRole.SECRETARY)
    services.member_login_ensure(member=secretary, username="secretary", password=DEMO_PASSWORD)
    _seed_groups(committee, DAPING_GROUPS, GROUP_NAMES)
    return committee


def seed_hongyan() -> Committee:
    committee = branch_services.committee_ensure(
        slug="hongyan", school_name="重庆市渝中区红岩小学校", name="中共重庆市渝中区红岩小学校委员会"
    )
    secretary, _ = services.member_upsert(
        committee=committee,
        data=services.MemberData(
            name="钟红梅",
            gender=F,
            subject="语文",
            professional_title="高级教师",
            joined_party_on=datetime.date(1998, 7, 1),
        ),
    )
    services.member_set_committee_role(member=secretary, role=CommitteeRole.SECRETARY)
    services.member_login_ensure(member=secretary, username="hy-secretary", password=DEMO_PASSWORD)
    _seed_groups(committee, HONGYAN_GROUPS, ["第一党小组", "第二党小组"])
    return committee


def seed_organisation() -> list[Committee]:
    """Both demo schools with their branches, groups, members and logins."""
    return [seed_daping(), seed_hongyan()]


# A step of the demo: given (大坪小学, 红岩小学), it adds one app's part.
DemoStep = Callable[[list[Committee]], None]
_demo_steps: dict[str, DemoStep] = {}


def register_demo_step(name: str, step: DemoStep) -> None:
    """Add an app's part of the demo; steps run in the order the apps start (INSTALLED_APPS)."""
    _demo_steps[name] = step


def seed_demo() -> list[Committee]:
    """Both demo schools, every registered app's part of them, and the district over both."""
    committees = seed_organisation()
    for step in _demo_steps.values():
        step(committees)
    seed_district(committees, password=DEMO_PASSWORD)
    return committees

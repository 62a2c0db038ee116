"""The synthetic district's shape and words: its school years and sizes, how many branches, groups,
members and records a school has, the names and titles its rows are made of, and who is who in a
generated school (bench/generate.py fills the database with them)."""

import datetime
from dataclasses import dataclass, field

SCHOOL_YEARS = ["2022-2023", "2023-2024", "2024-2025", "2025-2026", "2026-2027"]
CURRENT_YEAR = SCHOOL_YEARS[-1]
# Activities of the current school year stop here (the benchmarks run in its autumn term).
CURRENT_YEAR_LAST_DAY = datetime.date(2026, 11, 20)
SIZES = {"small": 1, "district": 50}
BRANCHES_PER_SCHOOL = 3
GROUPS_PER_BRANCH = 6
MEMBERS_PER_GROUP = 6
# Per approved project and school year at an average school (factor 1): 300,000 logs in all.
LOGS_PER_PROJECT = 67
ACHIEVEMENTS_PER_SCHOOL_YEAR = 80
PASSWORD = "dangjian2024"
BATCH = 5000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = [
    "晓燕",
    "建华",
    "丽娟",
    "志强",
    "海燕",
    "国庆",
    "红梅",
    "文静",
    "春燕",
    "小红",
    "子涵",
    "雨萱",
    "浩然",
    "思远",
    "欣怡",
    "俊杰",
    "佳怡",
    "明轩",
    "梓涵",
    "宇航",
]
SUBJECTS = ["语文", "数学", "英语", "音乐", "美术", "体育", "科学", "道德与法治", "信息技术"]
ACTIVITY_TYPES = {
    "帮扶暖心": ["tutoring", "teaching_trip", "volunteering", "donation", "demonstration_lesson", "paired_support"],
    "学习+成长": ["micro_party_lesson", "lecture", "competition", "party_day"],
    "校家社联合教育": ["parent_school", "lecture", "other", "party_day"],
}
ACTIVITY_TITLES = {
    "tutoring": "学困生一对一助学",
    "teaching_trip": "送教下乡到成员校",
    "volunteering": "社区志愿服务",
    "donation": "为山区学校捐赠图书",
    "demonstration_lesson": "党员示范课",
    "paired_support": "成员校蹲点结对帮扶",
    "micro_party_lesson": "微党课《论英雄，做先锋》",
    "lecture": "专题学习讲座",
    "competition": "党员教师教学竞赛",
    "party_day": "主题党日活动",
    "parent_school": "家长学校专题讲座",
    "other": "“大苹果树洞”心理咨询",
}
PLACES = ["学校报告厅", "成员校", "社区服务中心", "大坪街道", "乡村小学", "党员活动室", "线上"]
ACHIEVEMENT_KINDS = ["award", "award", "award", "honour", "publication", "research_topic", "open_lesson", "pupils_work"]
LEVELS = ["school", "district", "district", "city", "city", "provincial", "national"]
RANKS = ["special", "first", "second", "second", "third", "merit", "none"]


def school_factor(index: int, schools: int) -> float:
    """Relative size of the index-th school: 0.4 to 1.6 across a district, 1 for a single school."""
    if schools == 1:
        return 1.0
    return 0.4 + 1.2 * index / (schools - 1)


def school_year_dates(school_year: str) -> tuple[datetime.date, datetime.date]:
    start = int(school_year[:4])
    first, last = datetime.date(start, 9, 1), datetime.date(start + 1, 7, 10)
    return first, min(last, CURRENT_YEAR_LAST_DAY)


@dataclass
class SchoolPeople:
    """Who is who in one generated school, by member and user id."""

    committee_id: int
    members: list[int] = field(default_factory=list)  # all, in group order
    users: dict[int, int] = field(default_factory=dict)  # member id -> user id
    group_members: dict[int, list[int]] = field(default_factory=dict)  # group id -> member ids
    member_group: dict[int, int] = field(default_factory=dict)
    committee_members: list[int] = field(default_factory=list)  # secretary first
    usernames: dict[str, str] = field(default_factory=dict)  # persona -> username

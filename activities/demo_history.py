"""The five school years before the article's (2019-2020 to 2023-2024) at 大坪小学.

实施五年来: the same three projects ran every year, each year a little smaller than the next.
Each past year repeats a share of the article year's activities (spread over the whole year,
dated in that year, with values scaled by the share and a photo now and then), credits the
named teachers with the achievements the article implies for those years, and is concluded.
Keyed like the article year, so running it twice changes nothing.
"""

import datetime
from dataclasses import replace

from .demo_activities import DemoActivity
from .enums import AchievementKind, AchievementLevel, AchievementRank

K, L, R = AchievementKind, AchievementLevel, AchievementRank
D = datetime.date


def past_activities(items: list[DemoActivity], article_year: str, year: str, share: float) -> list[DemoActivity]:
    """A share of the article year's activities, spread over the year, moved into ``year``."""
    count = max(3, round(len(items) * share))
    step = len(items) / count
    chosen = [items[int(index * step)] for index in range(count)]
    offset = int(article_year[:4]) - int(year[:4])
    return [
        replace(
            item,
            date=_years_earlier(item.date, offset),
            beneficiaries_count=max(1, round(item.beneficiaries_count * share)),
            values={name: max(1, round(value * share)) for name, value in item.values.items()},
            photos=1 if index % 3 == 0 and item.photos else 0,
        )
        for index, item in enumerate(chosen)
    ]


def _years_earlier(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# (school year, recorder, kind, title, level, awarded on, issuing body, credited, rank, project group, pupils, words)
PAST_ACHIEVEMENTS = [
    (
        "2019-2020",
        "熊绪杨",
        K.PUPILS_WORK,
        "“小作家”首部学生习作集《我们的大坪》",
        L.SCHOOL,
        D(2020, 6, 10),
        "大坪小学",
        "熊绪杨",
        R.NONE,
        "第五党小组",
        "三年级“小作家”社团",
        20000,
    ),
    (
        "2019-2020",
        "许若黎",
        K.HONOUR,
        "渝中区中小学心理健康教育先进个人",
        L.DISTRICT,
        D(2020, 5, 20),
        "重庆市渝中区教育委员会",
        "许若黎",
        R.NONE,
        "第五党小组",
        "",
        None,
    ),
    (
        "2020-2021",
        "许若黎",
        K.RESEARCH_TOPIC,
        "渝中区教育科学规划课题《小学英语绘本阅读教学实践研究》",
        L.DISTRICT,
        D(2021, 3, 18),
        "重庆市渝中区教师进修学院",
        "刘燕怡 喻书丹",
        R.NONE,
        "第五党小组",
        "",
        None,
    ),
    (
        "2020-2021",
        "张敏",
        K.AWARD,
        "渝中区“学党史、颂党恩”微党课比赛二等奖",
        L.DISTRICT,
        D(2021, 5, 26),
        "中共重庆市渝中区委教育工作委员会",
        "张月",
        R.SECOND,
        "第三党小组",
        "",
        None,
    ),
    (
        "2021-2022",
        "冉菁",
        K.AWARD,
        "渝中区“美术工作坊”送教展示课一等奖",
        L.DISTRICT,
        D(2021, 12, 8),
        "重庆市渝中区教师进修学院",
        "冉菁",
        R.FIRST,
        "第一党小组",
        "",
        None,
    ),
    (
        "2021-2022",
        "徐帆",
        K.OPEN_LESSON,
        "居家锻炼《自创室内体育活动》微课",
        L.SCHOOL,
        D(2022, 4, 15),
        "大坪小学",
        "徐帆",
        R.NONE,
        "第五党小组",
        "",
        None,
    ),
    (
        "2022-2023",
        "张敏",
        K.PUBLICATION,
        "党员教师随笔《我的教学故事》",
        L.DISTRICT,
        D(2022, 11, 30),
        "《渝中教育》",
        "张月",
        R.NONE,
        "第三党小组",
        "",
        None,
    ),
    (
        "2022-2023",
        "尹雪",
        K.AWARD,
        "渝中区英语优质课竞赛二等奖",
        L.DISTRICT,
        D(2023, 4, 12),
        "重庆市渝中区教育委员会",
        "尹雪",
        R.SECOND,
        "第三党小组",
        "",
        None,
    ),
    (
        "2023-2024",
        "袁懿",
        K.AWARD,
        "送教下乡示范课获涪陵区乡村学校教师好评（区级表彰）",
        L.DISTRICT,
        D(2023, 12, 14),
        "重庆市涪陵区教育委员会",
        "袁懿 张玺",
        R.NONE,
        "第一党小组",
        "",
        None,
    ),
    (
        "2023-2024",
        "熊绪杨",
        K.PUPILS_WORK,
        "学生习作集《云端的童话》",
        L.SCHOOL,
        D(2024, 6, 3),
        "大坪小学",
        "熊绪杨",
        R.NONE,
        "第五党小组",
        "四年级“小作家”社团",
        30000,
    ),
]

"""The annual summary's sentences: fixed Chinese templates filled with the year's data.

Every sentence here is a template whose blanks are figures from the statistics or names from
the records; a blank without data drops its clause rather than printing a zero or a
placeholder, and nothing is said that the data does not hold.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from activities.enums import AchievementKind, AchievementLevel, AchievementRank
from config.official_docx import chinese_date
from projects.enums import OrganisationType

from .summary_selectors import CreditedAchievement, NotableActivity, YearEndStatus

# How the article names what each kind of project builds: 塑造“服务型”组织, 建设“学习型”组织 …
KIND_VERBS = {OrganisationType.SERVICE: "塑造", OrganisationType.LEARNING: "建设", OrganisationType.INNOVATION: "建设"}
KIND_ORDER = [OrganisationType.SERVICE, OrganisationType.LEARNING, OrganisationType.INNOVATION]
CHINESE_NUMERALS = "一二三四五六七八九十"


def numeral(index: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 … 99 → 九十九."""
    if index <= 10:
        return CHINESE_NUMERALS[index - 1]
    tens, ones = divmod(index, 10)
    return (CHINESE_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def number(value: Any) -> str:
    """A figure as printed: whole numbers without decimals, others as stored (two decimals at most)."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def year_words(school_year: str) -> str:
    """2024-2025 → 2024—2025 (the 一字线 of year ranges in official documents)."""
    return school_year.replace("-", "—")


def quoted(title: str) -> str:
    """A name in quotes unless it already opens with a quote or a book title mark."""
    return title if title[:1] in '“《"「' else f"“{title}”"


def names(people: Iterable[str]) -> str:
    return "、".join(people)


def kind_heading(kind: str | None, type_names: list[str]) -> str:
    """“帮扶暖心”项目 塑造“服务型”组织, as the article heads its sections."""
    projects = "".join(quoted(name) for name in type_names) + "项目" if type_names else "其他项目"
    if kind not in KIND_VERBS:
        return projects
    return f"{projects} {KIND_VERBS[kind]}“{OrganisationType(kind).label}”组织"


def overview_sentences(
    school_year: str, project_count: int, kind_counts: dict[str, int], group_count: int, totals: dict[str, Any]
) -> list[str]:
    """一、总体情况 in sentences: the year's projects, activities, people, evidence and achievements."""
    kinds = "、".join(
        f"{OrganisationType(kind).label}组织建设项目{kind_counts[kind]}个"
        for kind in KIND_ORDER
        if kind_counts.get(kind)
    )
    first = (
        f"{year_words(school_year)}学年，党委以党建微项目为抓手推进“三型”党组织建设，共立项党建微项目{project_count}个"
    )
    first += f"，其中{kinds}" if kinds else ""
    first += f"，由{group_count}个党小组承担。"
    sentences = [first]
    second = f"全年开展活动{totals.get('activities', 0)}次，党员参与{totals.get('person_times', 0)}人次"
    rate = totals.get("participation_rate")
    if totals.get("members_participating") and rate is not None:
        second += f"，参与活动的党员{totals['members_participating']}人，占党员总数的{number(rate)}%"
    if totals.get("hours"):
        second += f"；累计活动时长{number(totals['hours'])}小时"
    if totals.get("beneficiaries"):
        second += f"，受益{totals['beneficiaries']}人次"
    sentences.append(second + "。")
    third = ""
    if totals.get("photos"):
        third = f"留存活动照片{totals['photos']}张"
        if totals.get("evidence_coverage") is not None:
            third += f"，{number(totals['evidence_coverage'])}%的活动有照片佐证"
        third += "。"
    verified = totals.get("achievements_verified", 0)
    if verified:
        levels = level_counts(totals.get("achievements_by_level", {}))
        third += f"经党委认定的党员教师成果{verified}项" + (f"，其中{levels}" if levels else "") + "。"
    else:
        third += "本学年暂无经党委认定的成果。"
    sentences.append(third)
    return sentences


def level_counts(by_level: dict[str, int]) -> str:
    """``{"city": 1, "district": 2}`` → "市级1项、区级2项" (highest level first)."""
    return "、".join(
        f"{label}{by_level[level]}项" for level, label in reversed(AchievementLevel.choices) if by_level.get(level)
    )


def indicator_sentence(indicators: list[dict[str, Any]], subject: str = "各项目") -> str:
    """How many indicators with a target were met in full, and which fell short."""
    planned = [row for row in indicators if row.get("target")]
    if not planned:
        return ""
    met = [row for row in planned if (row.get("completion") or 0) >= 100]
    short = [row for row in planned if (row.get("completion") or 0) < 100]
    sentence = f"{subject}共设定目标指标{len(planned)}项，"
    sentence += f"完成率达到100%的{len(met)}项" if met else "尚无完成率达到100%的指标"
    if short:
        sentence += "；未达目标的有" + "、".join(
            f"{row['name']}（完成{number(row.get('completion') or 0)}%）" for row in short
        )
    return sentence + "。"


def status_sentence(status: YearEndStatus, last_day: datetime.date, rating: str = "", rank: int | None = None) -> str:
    """Where the project stood at the year's end, and its published assessment."""
    if status.concluded_on:
        sentence = f"项目已于{chinese_date(status.concluded_on)}结项"
    elif status.year_over:
        sentence = f"截至学年末（{chinese_date(last_day)}），项目仍在实施，尚未结项"
    else:
        sentence = "项目正在实施中"
    if rating:
        sentence += f"，年度考核等次为“{rating}”" + (f"，排名第{rank}" if rank else "")
    return sentence + "。"


def activity_totals_sentence(figures: dict[str, Any]) -> str:
    sentence = f"全年开展活动{figures.get('activities', 0)}次，党员参与{figures.get('person_times', 0)}人次"
    if figures.get("hours"):
        sentence += f"，活动时长{number(figures['hours'])}小时"
    if figures.get("beneficiaries"):
        sentence += f"，受益{figures['beneficiaries']}人次"
    return sentence + "。"


def activity_sentence(activity: NotableActivity) -> str:
    """2024年10月16日，袁懿、张玺等3名党员在三年级教室开展“周三放学后一对一辅导”，受益学困生12人，留存照片2张。"""
    sentence = f"{chinese_date(activity.date)}，"
    if activity.participants:
        sentence += names(activity.participants)
        sentence += (
            f"等{activity.participant_count}名党员" if activity.participant_count > len(activity.participants) else ""
        )
    if activity.place:
        sentence += f"在{activity.place}"
    sentence += f"开展{quoted(activity.title)}"
    if activity.beneficiaries_count:
        sentence += f"，受益{activity.beneficiaries}{activity.beneficiaries_count}人"
    if activity.photo_count:
        sentence += f"，留存照片{activity.photo_count}张"
    return sentence + "。"


def achievement_phrase(achievement: CreditedAchievement) -> str:
    """One achievement as a clause naming who earned what, by its kind."""
    holders = names(achievement.holders)
    title, body = achievement.title, achievement.issuing_body
    rank = achievement.rank_label if achievement.rank != AchievementRank.NONE else ""
    if achievement.kind == AchievementKind.PUBLICATION:
        phrase = f"{holders}的{quoted(title)}" + (f"在{body}发表" if body else "发表")
    elif achievement.kind == AchievementKind.HONOUR:
        phrase = f"{holders}被评为{quoted(title)}"
    elif achievement.kind == AchievementKind.RESEARCH_TOPIC:
        phrase = f"{holders}主持的{title}获立项"
    elif achievement.kind == AchievementKind.PUPILS_WORK:
        words = f"（{number(achievement.word_count / 10000)}万字）" if achievement.word_count else ""
        pupil = f"学生{achievement.pupils}" if achievement.pupils else "学生"
        phrase = f"{holders}指导{pupil}创作{quoted(title)}{words}"
    elif achievement.kind == AchievementKind.OPEN_LESSON:
        phrase = f"{holders}执教的{quoted(title)}" + (f"获{body}认定" if body else "")
    elif title.startswith("指导") or "获" in title:
        phrase = f"{holders}{title}"
    else:
        phrase = f"{holders}获{title}" + (rank if rank and rank not in title else "")
    return phrase


def achievements_paragraphs(achievements: list[CreditedAchievement]) -> list[str]:
    """The credited achievements by level, highest first: "市级2项：……；……。"."""
    by_level: dict[str, list[CreditedAchievement]] = {}
    for achievement in achievements:
        by_level.setdefault(achievement.level, []).append(achievement)
    return [
        f"{label}{len(by_level[level])}项：" + "；".join(achievement_phrase(item) for item in by_level[level]) + "。"
        for level, label in reversed(AchievementLevel.choices)
        if by_level.get(level)
    ]


def honour_sentence(honour: CreditedAchievement) -> str:
    when = f"{honour.awarded_on.year}年{honour.awarded_on.month}月"
    by = f"被{honour.issuing_body}" if honour.issuing_body else "被"
    return f"{when}，党委{by}评为{quoted(honour.title)}。"

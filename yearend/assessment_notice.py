"""The 考核结果通报: a published round's results as an official notice (.docx).

Title, 主送 (the branches and groups), what was assessed and how (the round's criteria and
thresholds, the number of assessors), the ranking table with means and ratings, the projects by
rating, the assessors' comments per project (without their names, as the groups see them), a
closing request, and the 落款 dated the day of publication. Everything comes from the round's
frozen results (`AssessmentResult`) and sheets; the layout from `config.official_docx`.
"""

from collections import defaultdict
from typing import IO

from django.utils import timezone

from config import official_docx as layout

from .enums import AssessmentRating, AssessmentStatus
from .models import AssessmentCriterion, AssessmentResult, AssessmentRound, AssessmentSheet
from .summary_narrative import number, quoted, year_words

CLOSING = "望各党小组对照考核结果总结经验、查找不足，持续推进党建微项目提质增效。"


def notice_title(assessment_round: AssessmentRound) -> list[str]:
    return [f"关于{year_words(assessment_round.school_year)}学年党建微项目", "年度考核结果的通报"]


def write_notice(assessment_round: AssessmentRound, output: IO[bytes]) -> None:
    """Write the published round's notice to ``output`` (the round must be published)."""
    if assessment_round.status != AssessmentStatus.PUBLISHED:
        raise ValueError("only a published round has a results notice")
    committee = assessment_round.committee
    results = list(
        AssessmentResult.objects.filter(assessment_round=assessment_round)
        .select_related("project__group__branch", "project__project_type")
        .order_by("rank", "project__group__position", "project_id")
    )
    criteria = list(AssessmentCriterion.objects.filter(assessment_round=assessment_round).order_by("position", "pk"))
    sheets = AssessmentSheet.objects.filter(assessment_round=assessment_round).order_by("project_id", "created_at")
    assessors = len(set(sheets.values_list("assessor_id", flat=True)))
    comments: dict[int, list[str]] = defaultdict(list)
    for project_id, comment in sheets.exclude(comment="").values_list("project_id", "comment"):
        comments[project_id].append(comment.strip().rstrip("。；;."))

    document = layout.new_document()
    layout.add_title(document, notice_title(assessment_round))
    layout.add_body(document, "各党支部、党小组：", indent=False)
    published = timezone.localtime(assessment_round.published_at).date()
    criteria_text = "、".join(f"{criterion.name}（{criterion.max_score}分）" for criterion in criteria)
    layout.add_body(
        document,
        f"党委对{year_words(assessment_round.school_year)}学年已结项的{len(results)}个党建微项目开展了年度考核。"
        f"{assessors}名党委委员按考核细则" + (f"（{criteria_text}）" if criteria_text else "") + "逐项评分，"
        f"以平均分确定等次：{number(assessment_round.excellent_threshold)}分及以上为优秀，"
        f"{number(assessment_round.good_threshold)}分及以上为良好，"
        f"{number(assessment_round.pass_threshold)}分及以上为合格，其余为不合格。"
        f"考核结果已于{layout.chinese_date(published)}公布，现通报如下。",
    )
    layout.add_heading(document, "一、考核结果")
    if results:
        layout.add_table(
            document,
            ["排名", "项目名称", "承担党小组", "评分人数", "平均分", "考核等次"],
            [
                [
                    result.rank,
                    result.project.title,
                    f"{result.project.group.name}（{result.project.group.branch.name}）",
                    result.sheet_count,
                    number(result.mean),
                    result.get_rating_display(),
                ]
                for result in results
            ],
            [1.0, 4.4, 3.6, 1.9, 1.3, 1.9],
            numeric=(0, 3, 4, 5),
        )
        by_rating = defaultdict(list)
        for result in results:
            by_rating[result.rating].append(result.project.title)
        parts = [
            f"{label}{len(by_rating[rating])}个（{'、'.join(quoted(title) for title in by_rating[rating])}）"
            for rating, label in AssessmentRating.choices
            if by_rating.get(rating)
        ]
        layout.add_body(document, "其中，" + "；".join(parts) + "。")
    else:
        layout.add_body(document, "本学年没有已结项的项目参加考核。")
    if any(comments.values()):
        layout.add_heading(document, "二、考核意见")
        for index, result in enumerate((r for r in results if comments.get(r.project_id)), start=1):
            said = "；".join(dict.fromkeys(comments[result.project_id]))  # the same words once
            layout.add_body(document, said + "。", lead=f"{index}.{result.project.title}。")
        layout.add_heading(document, "三、工作要求")
    else:
        layout.add_heading(document, "二、工作要求")
    layout.add_body(document, CLOSING)
    layout.add_signature(document, committee.name, published)
    document.save(output)

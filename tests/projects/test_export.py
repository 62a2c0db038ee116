"""The review export: an .xlsx with every current-round sheet and a summary, formula-safe."""

from decimal import Decimal
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from config.printable_sheets import HEADER_ROW
from projects import review_selectors, review_services
from tests.printable_sheets import assert_prints_on_a4, header_of


def score(reviewer, project, values, comment=""):
    criteria = review_selectors.active_criteria(project.committee_id)
    return review_services.score_record(
        actor=reviewer,
        project=project,
        scores={criterion.pk: Decimal(value) for criterion, value in zip(criteria, values, strict=True)},
        recommendation="revise",
        comment=comment,
    )


def test_export_contains_sheets_and_summary_and_escapes_formulas(
    login, application_a, secretary, committee_member, committee_member_2
):
    score(committee_member, application_a, [16, 18, 20, 14, 10], comment="=1+1")  # 83.00
    score(committee_member_2, application_a, [15, 15, 15, 15, 15], comment="@SUM(A1)")  # 75.00
    response = login(secretary).get(reverse("projects:export_review"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(response.content))
    detail, summary = workbook["评分明细"], workbook["汇总"]
    rows = [header_of(detail), *assert_prints_on_a4(detail, heading="重庆市渝中区大坪小学校党建微项目立项评审评分明细")]
    header = list(rows[0])
    assert header[:7] == ["项目", "申报党小组", "党支部", "项目类型", "状态", "评审轮次", "评审人"]
    assert header[7:12] == ["目标明确", "方案可行", "党建引领", "预期成效", "特色创新"]
    assert header[12:] == ["加权总分", "总体意见", "评审意见"]
    by_reviewer = {row[6]: row for row in rows[1:]}
    chen = by_reviewer["陈立新"]
    assert chen[:6] == ("红领巾助学行动", "第一党小组", "第一党支部", "帮扶暖心", "评审中", 1)
    assert [Decimal(str(value)) for value in chen[7:12]] == [16, 18, 20, 14, 10]
    assert Decimal(str(chen[12])) == Decimal("83.00")
    assert chen[13] == "修改后立项"
    assert chen[14] == "'=1+1"  # text, not a formula
    assert by_reviewer["周文静"][14] == "'@SUM(A1)"
    assert detail.cell(row=HEADER_ROW + 1, column=16).data_type == "s"  # 评审意见, after 序号
    summary_rows = [
        header_of(summary),
        *assert_prints_on_a4(summary, heading="重庆市渝中区大坪小学校党建微项目立项评审汇总"),
    ]
    assert summary_rows[0][6:] == ("评分人数", "平均分", "中位数", "极差")
    # (83 + 75) / 2 = 79.00; median of two = 79.00; spread 83 − 75 = 8.00
    assert [Decimal(str(value)) for value in summary_rows[1][6:]] == [2, Decimal("79"), Decimal("79"), Decimal("8")]


def test_export_is_for_the_secretary_only(login, application_a, committee_member, teacher):
    for user in (committee_member, teacher):
        assert login(user).get(reverse("projects:export_review")).status_code == 403


def test_export_of_another_school_is_empty_and_says_so(login, application_a, other_school_user):
    response = login(other_school_user).get(reverse("projects:export_review"))
    workbook = load_workbook(BytesIO(response.content))
    for name, what in (("评分明细", "评分明细"), ("汇总", "汇总")):
        sheet = workbook[name]
        assert assert_prints_on_a4(sheet, heading=f"重庆市渝中区红岩小学校党建微项目立项评审{what}") == []
        assert sheet.cell(row=HEADER_ROW + 1, column=1).value == "暂无数据"

"""The roster import (template, upload, preview, confirm) and export, as each role meets them."""

import datetime
import io
import os
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches.models import Group
from members import services
from members.models import Member, RosterImport
from members.roster import HEADERS
from tests.printable_sheets import assert_prints_on_a4, header_of
from tests.scale import add_members

PENDING_KEY = "members.roster_import"


def xlsx_bytes(rows, headers=HEADERS, title="花名册") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    if headers:
        sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_file(content: bytes, name: str = "花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def upload(client, content: bytes, name: str = "花名册.xlsx"):
    return client.post(reverse("members:import"), {"file": upload_file(content, name)}, follow=True)


def confirm(client, mode: str):
    token = client.session[PENDING_KEY]["token"]
    return client.post(reverse("members:import_confirm"), {"token": token, "mode": mode}, follow=True)


def roster_snapshot() -> list[tuple]:
    return list(
        Member.objects.order_by("pk").values_list(
            "pk",
            "committee_id",
            "name",
            "gender",
            "subject",
            "professional_title",
            "party_status",
            "joined_party_on",
            "group_id",
            "phone",
            "is_active",
        )
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def read_export(response) -> list[tuple]:
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["花名册"]
    school = sheet["A1"].value.removesuffix("党员名册")
    assert school in {"重庆市渝中区大坪小学校", "重庆市渝中区红岩小学校"}
    # The header, then the rows without 序号, after checking the sheet prints on A4.
    return [header_of(sheet), *assert_prints_on_a4(sheet, heading=f"{school}党员名册")]


def daping_group(name: str) -> Group:
    return Group.objects.get(branch__committee__slug="daping", name=name)


# ---- template ------------------------------------------------------------------------------


def test_template_has_the_headers_allowed_values_and_own_groups(login, secretary):
    response = login(secretary).get(reverse("members:import_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["花名册", "填写说明"]
    assert next(workbook["花名册"].iter_rows(values_only=True)) == HEADERS
    help_text = "\n".join(
        str(value) for row in workbook["填写说明"].iter_rows(values_only=True) for value in row if value
    )
    for word in ["正式党员", "预备党员", "入党积极分子", "男", "女", "第三党支部", "第六党小组"]:
        assert word in help_text
    assert "红岩" not in help_text


# ---- a valid file --------------------------------------------------------------------------


def test_valid_file_previews_then_imports(login, secretary, daping):
    before = roster_snapshot()
    content = xlsx_bytes(
        [
            ("新党员甲", "女", "语文", "二级教师", "预备党员", "2024-07-01", "第一党支部", "第二党小组", "13800000001"),
            ("新党员乙", "男", "数学", "一级教师", "正式党员", datetime.datetime(2012, 7, 1), "", "第五党小组", ""),
            ("新党员丙", "", "科学", "", "入党积极分子", "", "第二党支部", "第三党小组", ""),
            ("张玺", "男", "语文", "高级教师", "正式党员", "2012年7月1日", "第一党支部", "第一党小组", ""),
        ]
    )
    client = login(secretary)
    preview = upload(client, content)
    assert preview.redirect_chain[-1][0] == reverse("members:import_preview")
    html = preview.content.decode()
    assert html.count('data-status="new"') == 3
    assert html.count('data-status="update"') == 1
    assert "将更新：职称" in html
    assert "导入全部" in html and "仅导入有效行" not in html
    assert roster_snapshot() == before  # nothing written at upload time

    done = confirm(client, "all")
    assert done.redirect_chain[-1][0] == reverse("members:list")
    assert "花名册导入完成：新增 3 人，更新 1 人，无变化 0 人，跳过 0 行。" in messages_of(done)
    first = Member.objects.get(committee=daping, name="新党员甲")
    assert first.group == daping_group("第二党小组")
    assert first.party_status == "probationary"
    assert first.joined_party_on == datetime.date(2024, 7, 1)
    assert first.gender == "F" and first.phone == "13800000001"
    second = Member.objects.get(committee=daping, name="新党员乙")
    assert second.group == daping_group("第五党小组")  # a group name unique in the committee is enough
    assert second.joined_party_on == datetime.date(2012, 7, 1)
    assert Member.objects.get(committee=daping, name="新党员丙").party_status == "activist"
    assert Member.objects.get(committee=daping, name="张玺").professional_title == "高级教师"
    record = RosterImport.objects.get()
    assert (record.committee, record.imported_by, record.file_name) == (daping, secretary, "花名册.xlsx")
    assert (record.created_count, record.updated_count, record.skipped_count) == (3, 1, 0)
    assert PENDING_KEY not in client.session


@pytest.mark.parametrize(
    "cell",
    ["2012-07-01", "2012/7/1", "2012年7月1日", "2012.07.01", "20120701", datetime.date(2012, 7, 1), 41091],
)
def test_dates_are_read_from_excel_dates_and_common_text(login, secretary, daping, cell):
    client = login(secretary)
    upload(client, xlsx_bytes([("日期测试", "女", "", "", "正式党员", cell, "第一党支部", "第一党小组", "")]))
    confirm(client, "all")
    assert Member.objects.get(committee=daping, name="日期测试").joined_party_on == datetime.date(2012, 7, 1)


def test_title_row_above_the_header_and_padded_names_are_accepted(login, secretary, daping):
    workbook_rows = [
        ("大坪小学党员花名册",),
        HEADERS,
        ("张  玺", "男", "语文", "一级教师", "正式党员", "2012-07-01", "第一党支部", "第一党小组", ""),
    ]
    client = login(secretary)
    html = upload(client, xlsx_bytes(workbook_rows, headers=None)).content.decode()
    assert 'data-status="same"' in html
    assert Member.objects.filter(committee=daping, name__startswith="张").count() == 4


# ---- bad rows ------------------------------------------------------------------------------


BAD_ROWS = [
    ("", "女", "语文", "", "正式党员", "", "第一党支部", "第一党小组", ""),  # row 2
    ("错组甲", "女", "语文", "", "正式党员", "", "第一党支部", "第九党小组", ""),  # row 3
    ("重名乙", "男", "数学", "", "正式党员", "", "第一党支部", "第一党小组", ""),  # row 4
    ("重名乙", "男", "数学", "", "正式党员", "", "第一党支部", "第二党小组", ""),  # row 5
    ("错日期丙", "女", "英语", "", "正式党员", "2012-13-45", "第一党支部", "第一党小组", ""),  # row 6
    ("有效丁", "女", "音乐", "二级教师", "正式党员", "2020/7/1", "第二党支部", "第四党小组", ""),  # row 7
    ("错支部戊", "女", "", "", "正式党员", "", "第一党支部", "第三党小组", ""),  # row 8
    ("错面貌己", "男", "", "", "群众", "", "", "", ""),  # row 9
    ("错性别庚", "未知", "", "", "正式党员", "", "第九党支部", "第一党小组", ""),  # row 10
]
BAD_ROW_ERRORS = [
    "第 2 行：姓名不能为空",
    "第 3 行：本党委没有党小组“第九党小组”",
    "第 4 行：姓名“重名乙”在文件中重复（第 4、5 行）",
    "第 5 行：姓名“重名乙”在文件中重复（第 4、5 行）",
    "第 6 行：入党时间“2012-13-45”无法识别，请填写如 2012-07-01 的日期",
    "第 8 行：党小组“第三党小组”不属于“第一党支部”",
    "第 9 行：政治面貌“群众”无效，应为 正式党员、预备党员 或 入党积极分子",
    "第 10 行：性别“未知”无效，应为 男 或 女",
    "第 10 行：本党委没有党支部“第九党支部”",
]


def test_bad_rows_show_each_error_in_the_preview_and_write_nothing(login, secretary):
    before = roster_snapshot()
    client = login(secretary)
    html = upload(client, xlsx_bytes(BAD_ROWS)).content.decode()
    for error in BAD_ROW_ERRORS:
        assert error in html, error
    assert html.count('data-status="error"') == 8
    assert html.count('data-status="new"') == 1
    assert "仅导入有效行" in html and "导入全部" not in html
    assert roster_snapshot() == before

    # "Import all" is refused while rows have errors: nothing is written.
    refused = confirm(client, "all")
    assert refused.redirect_chain[-1][0] == reverse("members:import_preview")
    assert "有 8 行存在错误：请修改后重新上传，或选择仅导入有效行。" in messages_of(refused)
    assert roster_snapshot() == before
    assert not RosterImport.objects.exists()


def test_only_valid_rows_imports_just_the_valid_ones(login, secretary, daping):
    before = {row[2] for row in roster_snapshot()}
    client = login(secretary)
    upload(client, xlsx_bytes(BAD_ROWS))
    done = confirm(client, "valid_only")
    assert "花名册导入完成：新增 1 人，更新 0 人，无变化 0 人，跳过 8 行。" in messages_of(done)
    after = {row[2] for row in roster_snapshot()}
    assert after - before == {"有效丁"}
    imported = Member.objects.get(committee=daping, name="有效丁")
    assert imported.group == daping_group("第四党小组")
    assert imported.joined_party_on == datetime.date(2020, 7, 1)
    record = RosterImport.objects.get()
    assert (record.created_count, record.updated_count, record.skipped_count) == (1, 0, 8)


def test_a_file_without_every_column_is_refused(login, secretary):
    before = roster_snapshot()
    content = xlsx_bytes([("张玺", "男")], headers=("姓名", "性别"))
    html = upload(login(secretary), content).content.decode()
    assert "表头缺少以下列：任教学科、职称、政治面貌、入党时间、党支部、党小组、联系电话" in html
    assert roster_snapshot() == before


# ---- files that are not rosters ------------------------------------------------------------


NOT_XLSX = "无法识别为 Excel 工作簿（.xlsx）"


def _zip_with(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("花名册.xlsx", "姓名,性别\n张玺,男\n".encode(), NOT_XLSX),
        ("花名册.csv", "姓名,性别\n张玺,男\n".encode(), "只接受 Excel 工作簿（.xlsx）"),
        ("花名册.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "只接受 Excel 工作簿（.xlsx）"),
        ("花名册.xlsx", _zip_with({"word/document.xml": b"<w/>"}), NOT_XLSX),
        ("花名册.xlsx", _zip_with({"xl/worksheets/sheet1.xml": os.urandom(100_000)}), NOT_XLSX),
    ],
    ids=["text-renamed-xlsx", "csv", "xls", "zip-not-workbook", "zip-of-random-bytes"],
)
def test_files_that_are_not_xlsx_are_refused_with_a_clear_error(login, secretary, name, content, message):
    before = roster_snapshot()
    client = login(secretary)
    response = upload(client, content, name)
    assert response.status_code == 200
    assert response.redirect_chain == []
    assert message in response.content.decode()
    assert PENDING_KEY not in client.session
    assert roster_snapshot() == before


def test_a_5_mb_file_of_junk_is_refused(login, secretary):
    before = roster_snapshot()
    content = _zip_with({"xl/worksheets/sheet1.xml": os.urandom(5 * 1024 * 1024)}, zipfile.ZIP_STORED)
    assert len(content) > 5 * 1024 * 1024
    client = login(secretary)
    response = upload(client, content)
    assert response.status_code == 200
    assert "文件过大（5.0 MB），请上传不超过 2 MB 的文件。" in response.content.decode()
    assert PENDING_KEY not in client.session
    assert roster_snapshot() == before


def test_a_zip_bomb_is_refused_before_it_is_unpacked(login, secretary):
    before = roster_snapshot()
    bomb = _zip_with({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\0" * (200 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    response = upload(login(secretary), bomb)
    assert response.status_code == 200
    assert "文件解压后超过 10 MB" in response.content.decode()
    assert roster_snapshot() == before


def test_a_sheet_over_the_row_limit_is_refused(login, secretary):
    before = roster_snapshot()
    rows = [(f"党员{i:04d}", "女", "", "", "正式党员", "", "", "", "") for i in range(2001)]
    response = upload(login(secretary), xlsx_bytes(rows))
    assert "文件超过 2000 行党员数据，请分成几个文件导入。" in response.content.decode()
    assert roster_snapshot() == before


def test_a_sheet_claiming_a_million_rows_stops_early(login, secretary):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.cell(row=1_048_576, column=1, value="最后一行")
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(login(secretary), buffer.getvalue())
    assert "文件超过 2000 行党员数据" in response.content.decode()
    assert not Member.objects.filter(name="最后一行").exists()


# ---- re-import -----------------------------------------------------------------------------


def test_reimporting_the_same_file_creates_no_duplicates(login, secretary, daping):
    content = xlsx_bytes(
        [
            ("重导甲", "女", "语文", "一级教师", "正式党员", "2015-07-01", "第一党支部", "第一党小组", ""),
            ("重导乙", "男", "数学", "二级教师", "预备党员", "2025-06-01", "第三党支部", "第六党小组", ""),
        ]
    )
    client = login(secretary)
    upload(client, content)
    confirm(client, "all")
    count = Member.objects.count()

    html = upload(client, content).content.decode()
    assert html.count('data-status="same"') == 2
    done = confirm(client, "all")
    assert "花名册导入完成：新增 0 人，更新 0 人，无变化 2 人，跳过 0 行。" in messages_of(done)
    assert Member.objects.count() == count
    assert Member.objects.filter(committee=daping, name="重导甲").count() == 1


def test_an_exported_roster_imports_back_unchanged(login, secretary, daping):
    services.member_upsert(
        committee=daping,
        data=services.MemberData(name="=公式测试", subject="+1", phone="+86 138 0000 0000", group=None),
    )
    client = login(secretary)
    exported = b"".join(client.get(reverse("members:export")).streaming_content)
    before = roster_snapshot()
    html = upload(client, exported, "导出.xlsx").content.decode()
    active = Member.objects.filter(committee=daping, is_active=True).count()
    assert html.count('data-status="same"') == active
    assert 'data-status="error"' not in html and 'data-status="update"' not in html
    confirm(client, "all")
    assert roster_snapshot() == before


# ---- who may import ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["teacher", "leader_a", "branch_secretary", "other_school_user"])
def test_only_committee_members_of_the_school_see_the_import_pages(request, login, persona):
    user = request.getfixturevalue(persona)
    client = login(user)
    expected = 200 if persona == "other_school_user" else 403  # 红岩's secretary, at home
    assert client.get(reverse("members:import")).status_code == expected
    assert client.get(reverse("members:import_template")).status_code == expected


@pytest.mark.parametrize("persona", ["teacher", "leader_a", "branch_secretary"])
def test_others_get_403_and_their_posts_write_nothing(request, login, persona):
    user = request.getfixturevalue(persona)
    client = login(user)
    before = roster_snapshot()
    content = xlsx_bytes([("越权甲", "女", "", "", "正式党员", "", "第一党支部", "第一党小组", "")])
    assert client.get(reverse("members:import_preview")).status_code == 403
    assert client.post(reverse("members:import"), {"file": upload_file(content)}).status_code == 403
    assert PENDING_KEY not in client.session
    assert client.post(reverse("members:import_confirm"), {"token": "x", "mode": "all"}).status_code == 403
    assert client.get(reverse("members:export")).status_code == 403
    assert roster_snapshot() == before
    assert not RosterImport.objects.exists()


def test_committee_member_may_import(login, committee_member, daping):
    client = login(committee_member)
    upload(client, xlsx_bytes([("委员导入", "女", "", "", "正式党员", "", "第二党支部", "第四党小组", "")]))
    confirm(client, "all")
    assert Member.objects.get(committee=daping, name="委员导入").group == daping_group("第四党小组")


def test_other_school_cannot_import_into_daping_groups(login, other_school_user, daping, hongyan):
    before = roster_snapshot()
    daping_groups = list(Group.objects.filter(branch__committee=daping).values_list("pk", "name", "branch_id"))
    content = xlsx_bytes(
        [
            ("越校甲", "女", "", "", "正式党员", "", "第一党支部", "第一党小组", ""),
            ("越校乙", "女", "", "", "正式党员", "", "", "第三党小组", ""),
        ]
    )
    client = login(other_school_user)
    html = upload(client, content).content.decode()
    assert "第 2 行：本党委没有党支部“第一党支部”" in html
    assert "第 3 行：本党委没有党小组“第三党小组”" in html
    assert "仅导入有效行" not in html and "导入全部" not in html
    refused = confirm(client, "valid_only")
    assert "没有可导入的有效行。" in messages_of(refused)
    assert roster_snapshot() == before
    assert list(Group.objects.filter(branch__committee=daping).values_list("pk", "name", "branch_id")) == daping_groups


# ---- export --------------------------------------------------------------------------------


def test_export_has_the_template_columns_and_own_members_only(login, secretary, other_school_user, daping, hongyan):
    rows = read_export(login(secretary).get(reverse("members:export")))
    assert rows[0] == HEADERS
    names = {row[0] for row in rows[1:]}
    assert names == set(Member.objects.filter(committee=daping, is_active=True).values_list("name", flat=True))
    zhang = next(row for row in rows if row[0] == "张玺")
    assert zhang[1:5] == ("男", "语文", "一级教师", "正式党员")
    assert zhang[5].date() == datetime.date(2012, 7, 1)
    assert zhang[6:8] == ("第一党支部", "第一党小组")

    hongyan_names = {row[0] for row in read_export(login(other_school_user).get(reverse("members:export")))[1:]}
    assert hongyan_names == set(Member.objects.filter(committee=hongyan).values_list("name", flat=True))
    assert not hongyan_names & names


def test_export_follows_the_member_list_filters(login, secretary):
    group = daping_group("第二党小组")
    response = login(secretary).get(reverse("members:export"), {"group": group.pk, "q": "张"})
    names = {row[0] for row in read_export(response)[1:]}
    assert names == {"张宗信"}


def test_export_escapes_cells_that_start_a_formula(login, secretary, daping):
    services.member_upsert(
        committee=daping,
        data=services.MemberData(name='=HYPERLINK("http://evil")', subject="@SUM(1)", professional_title="-1+1"),
    )
    rows = read_export(login(secretary).get(reverse("members:export")))
    row = next(row for row in rows if str(row[0]).startswith("'="))
    assert row[0] == '\'=HYPERLINK("http://evil")'
    assert row[2] == "'@SUM(1)"
    assert row[3] == "'-1+1"


def test_export_runs_a_fixed_number_of_queries(login, secretary, daping, django_assert_num_queries):
    client = login(secretary)
    url = reverse("members:export")
    client.get(url)  # warm the session
    add_members(daping, per_group=2)
    with django_assert_num_queries(8):
        read_export(client.get(url))
    add_members(daping, per_group=40)
    with django_assert_num_queries(8):
        rows = read_export(client.get(url))
    assert len(rows) > 6 * 40

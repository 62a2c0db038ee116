"""The bad-file corpus against every document upload point: certificates (activities) and
application attachments (projects). Each file's verdict and message, what is stored, and the
served headers, whose Content-Type comes from the kind found at upload, never from the name."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Achievement
from branches.models import Group
from config import document_checks
from projects.models import MicroProject
from tests.activities import image_files as files
from tests.activities.test_achievement_views import form_data, member_of
from tests.projects.test_application_views import _form_data

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>{extra}</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="{main}"/>{extra}</Relationships>"""
DOCUMENT = """<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>
<w:t>实施方案</w:t></w:r></w:p></w:body></w:document>"""
BILLION_LAUGHS = """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>&lol3;</sheets></workbook>"""


def ooxml(main: str = "word/document.xml", body: str = DOCUMENT, *, parts=None, rels_extra="", types_extra="") -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=types_extra))
        archive.writestr("_rels/.rels", RELS.format(main=main, extra=rels_extra))
        archive.writestr(main, body)
        for name, data in (parts or {}).items():
            archive.writestr(name, data)
    return output.getvalue()


def zip_bomb() -> bytes:
    return ooxml(parts={"word/media/zeros.bin": b"\0" * (40 * 1024 * 1024)})


def many_entries() -> bytes:
    return ooxml(parts={f"word/part{n}.xml": "<a/>" for n in range(document_checks.MAX_ZIP_ENTRIES + 1)})


EXTERNAL_TEMPLATE = (
    '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"'
    ' Target="http://evil.example/t.dotm" TargetMode="External"/>'
)
HYPERLINK = (
    '<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"'
    ' Target="https://www.12371.cn/" TargetMode="External"/>'
)

BAD_ATTACHMENTS = [
    ("zip-bomb.docx", zip_bomb, "压缩比异常"),
    ("many.docx", many_entries, "部件过多"),
    ("macro.docx", lambda: ooxml(parts={"word/vbaProject.bin": b"VBA"}), "宏或外部链接"),
    ("macro.xlsx", lambda: ooxml(main="xl/workbook.xml", body="<workbook/>", types_extra="macroEnabled"), "宏"),
    ("laughs.xlsx", lambda: ooxml(main="xl/workbook.xml", body=BILLION_LAUGHS), "XML 声明"),
    (
        "links.xlsx",
        lambda: ooxml(main="xl/workbook.xml", body="<workbook/>", parts={"xl/externalLinks/l1.xml": "<a/>"}),
        "外部链接",
    ),
    ("template.docx", lambda: ooxml(rels_extra=EXTERNAL_TEMPLATE), "外部链接"),
    ("page.docx", lambda: b"<html><script>alert(1)</script></html>", "附件只能是"),
    ("not-office.docx", lambda: ooxml(main="evil/index.xml"), "不是 Word、Excel 或 PowerPoint"),
    ("js.pdf", lambda: files.pdf_bytes(javascript=True), "脚本、自动动作或嵌入文件"),
    ("embedded.pdf", lambda: files.pdf_bytes(embedded_file=True), "脚本、自动动作或嵌入文件"),
    ("launch.pdf", lambda: files.pdf_bytes(open_action=True), "脚本、自动动作或嵌入文件"),
    ("long.pdf", lambda: files.pdf_bytes(pages=document_checks.MAX_PDF_PAGES + 1), "页"),
    ("broken.pdf", lambda: b"%PDF-1.7\n" + b"\x00garbage" * 100, "损坏或无法读取"),
    ("word.pdf", lambda: ooxml(), "内容与文件类型不符"),
]


def _attachment_post(client, daping, leader, name: str, content: bytes):
    from projects.demo import seed_catalogue

    seed_catalogue(daping)
    data = _form_data(daping, Group.objects.get(leader__user=leader))
    data["attachment"] = SimpleUploadedFile(name, content, "application/octet-stream")
    return client.post(reverse("projects:create"), data)


@pytest.mark.parametrize(("name", "build", "message"), BAD_ATTACHMENTS)
def test_a_hostile_attachment_is_refused_with_a_chinese_message(
    login, leader_a, daping, media_root, name, build, message
):
    response = _attachment_post(login(leader_a), daping, leader_a, name, build())

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MicroProject.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    ("name", "build", "content_type"),
    [
        ("实施方案.docx", lambda: ooxml(rels_extra=HYPERLINK), document_checks.CONTENT_TYPES["docx"]),
        ("台账.xlsx", lambda: ooxml(main="xl/workbook.xml", body="<workbook/>"), document_checks.CONTENT_TYPES["xlsx"]),
        ("汇报.pptx", lambda: ooxml(main="ppt/presentation.xml", body="<p/>"), document_checks.CONTENT_TYPES["pptx"]),
        ("方案.pdf", files.pdf_bytes, "application/pdf"),
    ],
)
def test_a_plain_attachment_is_stored_with_its_kind_and_served_with_that_type(
    login, leader_a, daping, name, build, content_type
):
    client = login(leader_a)
    assert _attachment_post(client, daping, leader_a, name, build()).status_code == 302
    project = MicroProject.objects.get()

    response = client.get(reverse("projects:attachment", args=[project.pk]))

    assert project.attachment_name == name and project.attachment.name.endswith(name[name.rindex(".") :])
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def _certificate_post(client, teacher, name: str, content: bytes):
    return client.post(
        reverse("activities:achievement_create"),
        {**form_data(member_of(teacher)), "certificate": files.upload(name, content, "text/html")},
    )


@pytest.mark.parametrize(("name", "build", "message"), [row for row in BAD_ATTACHMENTS if row[0].endswith(".pdf")][:-1])
def test_a_hostile_pdf_certificate_is_refused(login, teacher, media_root, name, build, message):
    response = _certificate_post(login(teacher), teacher, name, build())

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Achievement.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    ("name", "build", "content_type", "disposition"),
    [
        ("evil.html", files.pdf_bytes, "application/pdf", "attachment"),
        ("evil.jpg", files.pdf_bytes, "application/pdf", "attachment"),
        ("evil.svg", files.jpeg_bytes, "image/jpeg", "inline"),
        ("evil.html", files.webp_bytes, "image/webp", "inline"),
    ],
)
def test_a_certificate_is_served_as_what_it_is_not_as_what_it_is_called(
    login, teacher, name, build, content_type, disposition
):
    client = login(teacher)
    assert _certificate_post(client, teacher, name, build()).status_code == 302
    achievement = Achievement.objects.get()

    response = client.get(reverse("activities:certificate_file", args=[achievement.pk]))

    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert achievement.certificate_kind == document_checks.DocumentKind(content_type.split("/")[1]) or (
        content_type == "application/pdf" and achievement.certificate_kind == "pdf"
    )

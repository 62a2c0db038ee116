"""Text pasted from Word or a PDF can carry control characters (a vertical tab for a line break,
a form feed, stray C0 codes) that Django accepts and XML 1.0 forbids: a .docx or .xlsx holding
one could not be written at all, and the download answered 500. The documents now drop them (a
vertical tab or form feed becomes a line break)."""

import io

from django.urls import reverse
from docx import Document
from openpyxl import Workbook, load_workbook

from config.spreadsheet_cells import safe_text
from config.text_input import xml_safe
from members.models import Member
from projects.models import MicroProject
from tests.projects.workflow_fixtures import draft_of

PASTED = "第一段\x0b第二段\x0c第三段\x01\x02结尾\t制表\r\n下一行"


def test_xml_safe_keeps_the_text_and_its_breaks_and_drops_what_xml_forbids():
    assert xml_safe(PASTED) == "第一段\n第二段\n第三段结尾\t制表\r\n下一行"
    assert safe_text("=1+1\x01") == "'=1+1"
    assert safe_text(3) == 3


def test_a_workbook_cell_with_pasted_control_characters_can_be_saved():
    book = Workbook()
    book.active["A1"] = safe_text(PASTED)
    stream = io.BytesIO()
    book.save(stream)
    assert load_workbook(stream).active["A1"].value == "第一段\n第二段\n第三段结尾\t制表\r\n下一行"


def test_an_application_with_pasted_control_characters_downloads_as_a_docx(leader_a, login):
    project = draft_of(leader_a)
    MicroProject.objects.filter(pk=project.pk).update(background=PASTED, title="红领巾\x0b助学行动")
    response = login(leader_a).get(reverse("projects:application_form", args=[project.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "第一段\n第二段\n第三段结尾" in text
    assert "\x01" not in text and "\x0b" not in text


def _form_text(client, project) -> str:
    response = client.get(reverse("projects:application_form", args=[project.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    return "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)


def test_the_application_form_prints_the_leaders_phone_only_for_who_may_see_contacts(leader_a, teacher, login):
    """Any teacher of the group may read the 申报表; the leader's phone follows the roster's rule
    (committee members, the person, the leaders above), and is otherwise left blank."""
    project = draft_of(leader_a)
    Member.objects.filter(user=leader_a).update(phone="13800138000")
    assert "13800138000" in _form_text(login(leader_a), project)
    teachers_copy = _form_text(login(teacher), project)
    assert "13800138000" not in teachers_copy and "联系电话" in teachers_copy

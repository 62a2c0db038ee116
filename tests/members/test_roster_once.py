"""A repeated roster confirm (double tap, reload, retry) answers with the import the first one made."""

import uuid

from django.urls import reverse

from members.models import Member, RosterImport
from tests.form_fields import form_fields
from tests.members.test_roster import PENDING_KEY, messages_of, roster_snapshot, upload, xlsx_bytes

ROWS = [("新党员甲", "女", "语文", "二级教师", "预备党员", "2024-07-01", "第一党支部", "第二党小组", "13800000001")]
DONE = "花名册导入完成：新增 1 人，更新 0 人，无变化 0 人，跳过 0 行。"


def test_a_confirm_posted_twice_is_one_import_with_the_same_answer(login, secretary, daping):
    client = login(secretary)
    preview = upload(client, xlsx_bytes(ROWS)).content.decode()
    assert "data-submit-once" in preview
    data = form_fields(preview, action=reverse("members:import_confirm")) | {"mode": "all"}
    uuid.UUID(data["client_id"])

    first = client.post(reverse("members:import_confirm"), data, follow=True)
    after_first = roster_snapshot()
    second = client.post(reverse("members:import_confirm"), data, follow=True)

    record = RosterImport.objects.get()
    assert first.redirect_chain == second.redirect_chain == [(reverse("members:list"), 302)]
    assert DONE in messages_of(first) and DONE in messages_of(second)
    assert (str(record.client_id), record.imported_by, record.created_count) == (data["client_id"], secretary, 1)
    assert roster_snapshot() == after_first
    assert Member.objects.filter(committee=daping, name="新党员甲").count() == 1


def test_without_the_one_time_id_a_stale_confirm_is_still_turned_away(login, secretary):
    client = login(secretary)
    upload(client, xlsx_bytes(ROWS))
    data = {"token": client.session[PENDING_KEY]["token"], "mode": "all"}
    client.post(reverse("members:import_confirm"), data)

    again = client.post(reverse("members:import_confirm"), data, follow=True)

    assert again.redirect_chain[-1][0] == reverse("members:import")
    assert "导入预览已失效，请重新上传花名册。" in messages_of(again)
    assert RosterImport.objects.count() == 1


def test_another_users_one_time_id_is_refused_for_a_roster_import(login, secretary, committee_member, daping):
    client_id = str(uuid.uuid4())
    client = login(secretary)
    upload(client, xlsx_bytes(ROWS))
    client.post(
        reverse("members:import_confirm"),
        {"token": client.session[PENDING_KEY]["token"], "mode": "all", "client_id": client_id},
    )
    theirs = RosterImport.objects.get()
    other = login(committee_member)
    upload(other, xlsx_bytes([("新党员乙", "男", "数学", "", "正式党员", "", "", "第五党小组", "")]))
    before = roster_snapshot()

    response = other.post(
        reverse("members:import_confirm"),
        {"token": other.session[PENDING_KEY]["token"], "mode": "all", "client_id": client_id},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("members:import_preview")
    assert "这份表单的提交编号已被使用，请刷新页面后重新填写。" in messages_of(response)
    assert list(RosterImport.objects.values_list("pk", "imported_by_id")) == [(theirs.pk, secretary.pk)]
    assert roster_snapshot() == before

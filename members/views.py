import io
import secrets
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from branches import selectors as branch_selectors
from branches.models import Committee

from . import roster, roster_workbooks, selectors, services
from .errors import DomainError
from .forms import MemberFilterForm, RosterConfirmForm, RosterUploadForm
from .home import home_sections_for
from .models import RosterImport
from .roles import roles_of

MEMBERS_PER_PAGE = 50


def home(request: HttpRequest) -> HttpResponse:
    """Each role's to-do list: the organisation here, the rest from the sections other apps register."""
    roles = roles_of(request.user)
    # The groups the user leads and their own group, in one query.
    wanted = {*roles.led_group_ids, *([roles.group_id] if roles.group_id else [])}
    groups = list(branch_selectors.groups_visible_to(request.user).filter(pk__in=wanted).select_related("branch"))
    context = {
        "committee": branch_selectors.committee_of(request.user),
        "counts": branch_selectors.organisation_counts(request.user),
        "led_branches": list(branch_selectors.branches_visible_to(request.user).filter(pk__in=roles.led_branch_ids)),
        "led_groups": [group for group in groups if group.pk in roles.led_group_ids],
        "my_group": next((group for group in groups if group.pk == roles.group_id), None),
        **home_sections_for(request.user),
    }
    return render(request, "members/home.html", context)


def _member_filter(request: HttpRequest) -> tuple[MemberFilterForm, selectors.MemberFilter]:
    """The roster filters in the query string; an invalid choice falls back to no filter."""
    branches = list(branch_selectors.branches_visible_to(request.user))
    groups = list(branch_selectors.groups_visible_to(request.user))
    form = MemberFilterForm(request.GET or None, branches=branches, groups=groups)
    member_filter = selectors.MemberFilter()
    if form.is_valid():
        data = form.cleaned_data
        member_filter = selectors.MemberFilter(
            query=data["q"],
            branch_id=data["branch"],
            group_id=data["group"],
            party_status=data["party_status"],
            include_archived=data["archived"],
        )
    return form, member_filter


@permission_required("members.view_roster", raise_exception=True)
def member_list(request: HttpRequest) -> HttpResponse:
    form, member_filter = _member_filter(request)
    page = Paginator(selectors.member_list(request.user, member_filter), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "members/member_list.html",
        {"form": form, "page": page, "query_without_page": query_without_page.urlencode()},
    )


def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_detail(request.user, member_id)
    if member is None:
        raise Http404
    if not request.user.has_perm("members.view_member", member):
        raise PermissionDenied
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "positions": selectors.member_positions_of(member),
            "can_view_contact": request.user.has_perm("members.view_member_contact", member),
        },
    )


# The parsed rows wait in the session between preview and confirm; nothing is written before.
PENDING_IMPORT_KEY = "members.roster_import"
# The last confirmed import's one-time id and its unchanged count, to answer a repeated confirm.
DONE_IMPORT_KEY = "members.roster_import_done"


def _xlsx_response(content: bytes, filename: str) -> FileResponse:
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=filename, content_type=roster.XLSX_CONTENT_TYPE
    )


@permission_required("members.import_roster", raise_exception=True)
def roster_import_template(request: HttpRequest) -> FileResponse:
    groups = branch_selectors.groups_visible_to(request.user).select_related("branch")
    return _xlsx_response(roster_workbooks.roster_template_workbook(groups), _("党员花名册导入模板.xlsx"))


@permission_required("members.import_roster", raise_exception=True)
def roster_import(request: HttpRequest) -> HttpResponse:
    committee = branch_selectors.committee_of(request.user)
    form = RosterUploadForm(request.POST or None, request.FILES or None, committee=committee)
    if request.method == "POST" and form.is_valid():
        request.session[PENDING_IMPORT_KEY] = {
            "token": secrets.token_urlsafe(16),
            "committee_id": committee.pk,
            "file_name": Path(form.cleaned_data["file"].name).name,
            "rows": form.cleaned_data["rows"],
        }
        return redirect("members:import_preview")
    limits = {"rows": roster.MAX_ROWS, "megabytes": roster.MAX_FILE_BYTES // (1024 * 1024)}
    return render(request, "members/roster_import.html", {"form": form, "limits": limits})


def _pending_import(request: HttpRequest) -> dict | None:
    pending = request.session.get(PENDING_IMPORT_KEY)
    if pending is None or pending.get("committee_id") != roles_of(request.user).committee_id:
        return None
    return pending


@permission_required("members.import_roster", raise_exception=True)
def roster_import_preview(request: HttpRequest) -> HttpResponse:
    pending = _pending_import(request)
    if pending is None:
        messages.info(request, _("请先上传花名册文件。"))
        return redirect("members:import")
    counts = roster.status_counts(pending["rows"])
    return render(
        request,
        "members/roster_preview.html",
        {
            "file_name": pending["file_name"],
            # Each cell with its column's name: on a phone every row is a card of "name: value" lines.
            "rows": [
                {**row, "labelled_cells": list(zip(roster.HEADERS, row["cells"], strict=False))}
                for row in pending["rows"]
            ],
            "counts": counts,
            "form": RosterConfirmForm(initial={"token": pending["token"]}),
            "valid_only_mode": RosterConfirmForm.VALID_ONLY,
            "all_mode": RosterConfirmForm.ALL,
        },
    )


@permission_required("members.import_roster", raise_exception=True)
@require_POST
def roster_import_confirm(request: HttpRequest) -> HttpResponse:
    pending = _pending_import(request)
    form = RosterConfirmForm(request.POST)
    if pending is None or not form.is_valid() or form.cleaned_data["token"] != pending["token"]:
        if (repeat := _repeated_confirm(request, form)) is not None:
            return _import_done(request, *repeat)
        messages.error(request, _("导入预览已失效，请重新上传花名册。"))
        return redirect("members:import")
    try:
        record = services.roster_import_apply(
            actor=request.user,
            committee=branch_selectors.committee_of(request.user),
            rows=pending["rows"],
            file_name=pending["file_name"],
            skip_invalid_rows=form.cleaned_data["mode"] == RosterConfirmForm.VALID_ONLY,
            client_id=form.cleaned_data["client_id"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("members:import_preview")
    del request.session[PENDING_IMPORT_KEY]
    counts = roster.status_counts(pending["rows"])
    unchanged = len(pending["rows"]) - counts[roster.RowStatus.ERROR] - record.created_count - record.updated_count
    if record.client_id is not None:
        request.session[DONE_IMPORT_KEY] = {"client_id": str(record.client_id), "unchanged": unchanged}
    return _import_done(request, record, unchanged)


def _repeated_confirm(request: HttpRequest, form: RosterConfirmForm) -> tuple[RosterImport, int] | None:
    """The import a repeat of this session's last confirm made (a double tap, a reload), if it is one."""
    done = request.session.get(DONE_IMPORT_KEY)
    client_id = form.cleaned_data.get("client_id") if form.is_valid() else None
    if done is None or client_id is None or done["client_id"] != str(client_id):
        return None
    record = selectors.roster_import_made(request.user, client_id)
    return None if record is None else (record, done["unchanged"])


def _import_done(request: HttpRequest, record: RosterImport, unchanged: int) -> HttpResponse:
    messages.success(
        request,
        _("花名册导入完成：新增 %(created)d 人，更新 %(updated)d 人，无变化 %(unchanged)d 人，跳过 %(skipped)d 行。")
        % {
            "created": record.created_count,
            "updated": record.updated_count,
            "unchanged": unchanged,
            "skipped": record.skipped_count,
        },
    )
    return redirect("members:list")


@permission_required("members.export_roster", raise_exception=True)
def roster_export(request: HttpRequest) -> FileResponse:
    _form, member_filter = _member_filter(request)
    # The export shows no posts, so the list's prefetches of led branches and groups are dropped.
    members = selectors.member_list(request.user, member_filter).prefetch_related(None)
    filename = _("党员花名册-%(date)s.xlsx") % {"date": timezone.localdate().strftime("%Y%m%d")}
    school_name = Committee.objects.filter(pk=roles_of(request.user).committee_id).values_list("school_name", flat=True)
    workbook = roster_workbooks.roster_export_workbook(members, school_name=school_name.first() or "")
    return _xlsx_response(workbook, filename)

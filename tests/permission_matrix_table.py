"""The permission matrix: every URL of the project, what each persona gets for GET and for POST.

One row per URL name. `kwargs` names the objects of the matrix dataset (built once per module by
`build_dataset`, through the services) that fill the path converters; `Slug(...)` is a literal.
`get` and `post` list the status code each logged-in persona receives:

    T teacher1 (第一党小组)            L leader1 (leader of 第一党小组, the objects' group)
    O leader2 (leader of 第二党小组)   B branch1 (secretary of 第一党支部, member of 第一党小组)
    C committee1 (committee member)   S secretary (党委书记)
    H hy-secretary (红岩小学's secretary: powerful at home, a stranger here)

Anonymous visitors are redirected to the login page everywhere except the login page itself
(`anonymous=` on the row). The rules the table follows:

- an object of another school is 404 for H (nothing about our ids leaks);
- a page without an object is H's own school's page (200 when H's post allows it);
- allowed is 200 (a page, or a form re-rendered with errors for an empty POST) or 302;
- refused is 403, or 404 where the selector hides the object (a draft outside one's group);
- a POST-only view answers 405 to GET before it looks anything up, and a read-only view 405 to POST.

Every POST answered 403, 404, 405 or with the login redirect must leave the database unchanged.
"""

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.activities.image_files import pdf_bytes

PERSONAS = {
    "T": "teacher1",
    "L": "leader1",
    "O": "leader2",
    "B": "branch1",
    "C": "committee1",
    "S": "secretary",
    "H": "hy-secretary",
}
ANONYMOUS = "anonymous"
LOGIN = "login"  # the outcome "redirected to the login page"

# Patterns walked from the resolver but deliberately outside the matrix, with the reason.
SKIPPED_NAMESPACES = {
    "admin": "Django's own admin: staff-only behind its own login, audit rows read-only (tests/test_security.py)",
}
SKIPPED_PREFIXES = {
    "static/": "static files are served by nginx in production and by runserver only with DEBUG",
}


@dataclass(frozen=True)
class Slug:
    value: str


@dataclass(frozen=True)
class Row:
    kwargs: dict = field(default_factory=dict)
    get: str = ""
    post: str = ""
    anonymous: tuple[int | str, int | str] = (LOGIN, LOGIN)  # (GET, POST) for visitors without a login

    def outcomes(self, method: str) -> dict[str, int | str]:
        spec = self.get if method == "GET" or self.post == AS_GET else self.post
        codes = {}
        for token in spec.split():
            codes[PERSONAS[token[0]]] = int(token[1:])
        assert set(codes) == set(PERSONAS.values()), f"incomplete row: {spec!r}"
        codes[ANONYMOUS] = self.anonymous[0 if method == "GET" else 1]
        return codes


def same(code: int) -> str:
    return " ".join(f"{key}{code}" for key in PERSONAS)


NOT_POST = same(405)  # a read-only view (require_safe / GET-only class-based view)
AS_GET = "as GET"  # a read view without a method restriction: a POST renders the page, changing nothing
NOT_GET = same(405)  # a POST-only view (require_POST)

# fmt: off
MATRIX: dict[str, Row] = {
    # Accounts.
    "home":                 Row(get="T200 L200 O200 B200 C200 S200 H200", post="T200 L200 O200 B200 C200 S200 H200"),
    "login":                Row(get="T302 L302 O302 B302 C302 S302 H302", post="T302 L302 O302 B302 C302 S302 H302",
                                anonymous=(200, 200)),
    "logout":               Row(get=NOT_GET, post="T302 L302 O302 B302 C302 S302 H302"),
    "password_change":      Row(get="T200 L200 O200 B200 C200 S200 H200", post="T200 L200 O200 B200 C200 S200 H200"),
    "password_change_done": Row(get="T200 L200 O200 B200 C200 S200 H200", post=NOT_POST),
    # The service worker and its offline page: no user's data, open to all.
    "service_worker":       Row(get=same(200), post=NOT_POST, anonymous=(200, 405)),
    "offline":              Row(get=same(200), post=NOT_POST, anonymous=(200, 405)),
    # The organisation.
    "branches:organisation": Row(get="T200 L200 O200 B200 C200 S200 H200", post=AS_GET),
    "branches:branch":       Row({"branch_id": "branch"},
                                 get="T200 L200 O200 B200 C200 S200 H404", post=AS_GET),
    "branches:group":        Row({"group_id": "group"},
                                 get="T200 L200 O200 B200 C200 S200 H404", post=AS_GET),
    # Members and notifications.
    "members:list":          Row(get="T200 L200 O200 B200 C200 S200 H200", post=AS_GET),
    "members:detail":        Row({"member_id": "teacher_member"},
                                 get="T200 L200 O200 B200 C200 S200 H404", post=AS_GET),
    "members:notifications": Row(get="T200 L200 O200 B200 C200 S200 H200", post=AS_GET),
    "members:notifications_read": Row(get=NOT_GET, post="T302 L302 O302 B302 C302 S302 H302"),
    "members:notification_preferences": Row(get=NOT_GET, post="T302 L302 O302 B302 C302 S302 H302"),
    "members:import":          Row(get="T403 L403 O403 B403 C200 S200 H200", post="T403 L403 O403 B403 C200 S200 H200"),
    "members:import_template": Row(get="T403 L403 O403 B403 C200 S200 H200", post=AS_GET),
    "members:import_preview":  Row(get="T403 L403 O403 B403 C302 S302 H302", post=AS_GET),
    "members:import_confirm":  Row(get="T403 L403 O403 B403 C405 S405 H405", post="T403 L403 O403 B403 C302 S302 H302"),
    "members:export":          Row(get="T403 L403 O403 B403 C200 S200 H200", post=AS_GET),
    # Applications.
    "projects:list":     Row(get="T200 L200 O200 B200 C200 S200 H200", post=AS_GET),
    "projects:create":   Row(get="T403 L200 O200 B403 C403 S403 H403", post="T403 L200 O200 B403 C403 S403 H403"),
    "projects:detail":   Row({"project_id": "open_project"},
                             get="T200 L200 O200 B200 C200 S200 H404", post=AS_GET),
    "projects:edit":     Row({"project_id": "draft"},
                             get="T403 L200 O404 B403 C404 S404 H404", post="T403 L200 O404 B403 C404 S404 H404"),
    "projects:submit":   Row({"project_id": "draft"},
                             get=NOT_GET, post="T403 L302 O404 B403 C404 S404 H404"),
    "projects:withdraw": Row({"project_id": "submitted"},
                             get=NOT_GET, post="T403 L302 O404 B403 C403 S403 H404"),
    "projects:start":    Row({"project_id": "approved"},
                             get=NOT_GET, post="T403 L302 O403 B403 C403 S302 H404"),
    "projects:conclude": Row({"project_id": "open_project"},
                             get=NOT_GET, post="T403 L403 O403 B403 C403 S302 H404"),
    "projects:attachment": Row({"project_id": "open_project"},
                               get="T200 L200 O200 B200 C200 S200 H404", post=AS_GET),
    "projects:application_form": Row({"project_id": "open_project"},
                                     get="T200 L200 O200 B200 C200 S200 H404", post=NOT_POST),
    "projects:application_pdf": Row({"project_id": "open_project"},
                                    get="T200 L200 O200 B200 C200 S200 H404", post=NOT_POST),
    # The suite runs without REPORT_PDF: an allowed request is refused with a message (302).
    "projects:application_pdf_request": Row({"project_id": "open_project"},
                                            get=NOT_GET, post="T302 L302 O302 B302 C302 S302 H404"),
    # Review.
    "projects:queue":         Row(get="T403 L403 O403 B403 C200 S200 H200", post=AS_GET),
    "projects:bulk_decide":   Row(get=NOT_GET, post="T403 L403 O403 B403 C403 S302 H302"),
    "projects:export_review": Row(get="T403 L403 O403 B403 C403 S200 H200", post=AS_GET),
    "projects:review":        Row({"project_id": "in_review"},
                                  get="T403 L403 O403 B403 C200 S200 H404", post="T403 L403 O403 B403 C200 S200 H404"),
    "projects:decide":        Row({"project_id": "in_review"},
                                  get=NOT_GET, post="T403 L403 O403 B403 C403 S200 H404"),
    # The year's calendar (an empty post re-renders the form with its errors).
    "projects:calendar":        Row(get="T403 L403 O403 B403 C403 S200 H200", post=AS_GET),
    "projects:extension_grant": Row(get=NOT_GET, post="T403 L403 O403 B403 C403 S200 H200"),
    # The 日程 page and its private calendar feed (an unknown token is 404 for everyone, no login asked).
    "deadlines:schedule":   Row(get="T200 L200 O200 B200 C200 S200 H200", post=AS_GET),
    "deadlines:feed_reset": Row(get=NOT_GET, post="T302 L302 O302 B302 C302 S302 H302"),
    "deadlines:feed":       Row({"token": Slug("no-such-token")}, get=same(404), post=NOT_POST, anonymous=(404, 405)),
    # The catalogue.
    "projects:catalogue":        Row(get="T403 L403 O403 B403 C403 S200 H200", post=AS_GET),
    "projects:catalogue_create": Row({"kind": Slug("types")},
                                     get="T403 L403 O403 B403 C403 S200 H200",
                                     post="T403 L403 O403 B403 C403 S200 H200"),
    "projects:catalogue_edit":   Row({"kind": Slug("types"), "item_id": "project_type"},
                                     get="T403 L403 O403 B403 C403 S200 H404",
                                     post="T403 L403 O403 B403 C403 S200 H404"),
    "projects:catalogue_set_active": Row({"kind": Slug("types"), "item_id": "project_type"},
                                         get=NOT_GET, post="T403 L403 O403 B403 C403 S302 H404"),
    # The year-end assessment.
    "yearend:assessment_list":       Row(get="T403 L403 O403 B403 C200 S200 H200", post=AS_GET),
    "yearend:assessment_open":       Row(get="T403 L403 O403 B403 C403 S200 H200",
                                          post="T403 L403 O403 B403 C403 S200 H200"),
    "yearend:assessment_round":      Row({"round_id": "assessment_round"},
                                          get="T403 L403 O403 B403 C200 S200 H404", post=AS_GET),
    "yearend:assessment_settings":   Row({"round_id": "assessment_round"},
                                          get="T403 L403 O403 B403 C403 S200 H404", post=AS_GET),
    "yearend:assessment_thresholds": Row({"round_id": "assessment_round"},
                                          get=NOT_GET, post="T403 L403 O403 B403 C403 S200 H404"),
    "yearend:assessment_rubric":     Row({"round_id": "assessment_round"},
                                          get=NOT_GET, post="T403 L403 O403 B403 C403 S200 H404"),
    "yearend:assessment_ranking":    Row({"round_id": "assessment_round"},
                                          get="T403 L403 O403 B403 C403 S200 H404", post=AS_GET),
    "yearend:assessment_publish":    Row({"round_id": "assessment_round"},
                                          get=NOT_GET, post="T403 L403 O403 B403 C403 S302 H404"),
    # The round is open: no notice yet (404) for those who may see the ranking.
    "yearend:assessment_notice":     Row({"round_id": "assessment_round"},
                                          get="T403 L403 O403 B403 C403 S404 H404", post=NOT_POST),
    "yearend:assessment_sheet":      Row({"round_id": "assessment_round", "project_id": "concluded"},
                                          get="T403 L403 O403 B403 C200 S200 H404",
                                          post="T403 L403 O403 B403 C200 S200 H404"),
    # Reports.
    "yearend:reports":         Row(get="T403 L403 O403 B403 C200 S200 H200",
                                    post="T403 L403 O403 B403 C405 S405 H405"),
    "yearend:report_request":  Row(get="T403 L403 O403 B403 C405 S405 H405",
                                    post="T403 L403 O403 B403 C200 S200 H200"),
    "yearend:report_status":   Row({"job_id": "report_job"},
                                    get="T403 L403 O403 B403 C200 S200 H404", post=NOT_POST),
    "yearend:report_download": Row({"job_id": "report_job"},
                                    get="T403 L403 O403 B403 C200 S200 H404", post=NOT_POST),
    "yearend:report_download_pdf": Row({"job_id": "report_job"},
                                        get="T403 L403 O403 B403 C200 S200 H404", post=NOT_POST),
    # Dashboards.
    "stats:dashboard":                 Row(get="T302 L302 O302 B302 C302 S302 H302", post=AS_GET),
    "stats:dashboard_committee":       Row(get="T403 L403 O403 B403 C200 S200 H200", post=AS_GET),
    "stats:dashboard_district":        Row(get="T403 L403 O403 B403 C403 S403 H403", post=AS_GET),
    "stats:dashboard_committee_print": Row(get="T403 L403 O403 B403 C200 S200 H200", post=AS_GET),
    "stats:dashboard_branch":          Row({"branch_id": "branch"},
                                              get="T403 L403 O403 B200 C200 S200 H404", post=AS_GET),
    "stats:dashboard_branch_print":    Row({"branch_id": "branch"},
                                              get="T403 L403 O403 B200 C200 S200 H404", post=AS_GET),
    "stats:dashboard_group":           Row({"group_id": "group"},
                                              get="T200 L200 O403 B200 C200 S200 H404", post=AS_GET),
    "stats:dashboard_group_print":     Row({"group_id": "group"},
                                              get="T200 L200 O403 B200 C200 S200 H404", post=AS_GET),
    "stats:dashboard_refresh":         Row(get=NOT_GET, post="T403 L403 O403 B403 C403 S302 H302"),
    # Activity logs and photos.
    "activities:activity_create":    Row({"project_id": "open_project"},
                                         get="T403 L200 O403 B403 C403 S403 H404",
                                         post="T403 L200 O403 B403 C403 S403 H404"),
    "activities:project_photos_zip": Row({"project_id": "open_project"},
                                         get="T200 L200 O200 B200 C200 S200 H404", post=NOT_POST),
    "activities:activity_detail":    Row({"activity_id": "activity"},
                                         get="T200 L200 O200 B200 C200 S200 H404", post=AS_GET),
    "activities:activity_edit":      Row({"activity_id": "activity"},
                                         get="T403 L200 O403 B403 C403 S403 H404",
                                         post="T403 L200 O403 B403 C403 S403 H404"),
    "activities:activity_archive":   Row({"activity_id": "activity"},
                                         get=NOT_GET, post="T403 L302 O403 B403 C403 S403 H404"),
    "activities:photo_upload":       Row({"activity_id": "activity"},
                                         get=NOT_GET, post="T302 L302 O403 B302 C403 S403 H404"),
    "activities:photo_archive":      Row({"photo_id": "photo"},
                                         get=NOT_GET, post="T302 L302 O403 B403 C403 S403 H404"),
    "activities:photo_file":         Row({"photo_id": "photo", "size": Slug("original")},
                                         get="T200 L200 O200 B200 C200 S200 H404", post=NOT_POST),
    "activities:certificate_file":   Row({"achievement_id": "pending_achievement"},
                                         get="T200 L200 O404 B404 C200 S200 H404", post=NOT_POST),
    # A PDF certificate's first-page preview: exactly the certificate's rules.
    "activities:certificate_preview_file": Row({"achievement_id": "pending_achievement"},
                                               get="T200 L200 O404 B404 C200 S200 H404", post=NOT_POST),
    # The capture API of the phone's outbox (JSON); an empty post is refused with 400 where allowed.
    "activities:capture_session":         Row(get=same(200), post=NOT_POST),
    "activities:capture_activity_create": Row({"project_id": "open_project"},
                                              get=NOT_GET, post="T403 L400 O403 B403 C403 S403 H404"),
    "activities:capture_activity_update": Row({"activity_id": "activity"},
                                              get=NOT_GET, post="T403 L400 O403 B403 C403 S403 H404"),
    "activities:capture_photo":           Row({"activity_id": "activity"},
                                              get=NOT_GET, post="T400 L400 O403 B400 C403 S403 H404"),
    # Delegation of activity logging.
    "activities:delegation_list":   Row({"project_id": "open_project"},
                                        get="T200 L200 O200 B200 C200 S200 H404", post=AS_GET),
    "activities:delegation_grant":  Row({"project_id": "open_project"},
                                        get=NOT_GET, post="T403 L200 O403 B403 C403 S403 H404"),
    "activities:delegation_revoke": Row({"delegation_id": "delegation"},
                                        get=NOT_GET, post="T403 L302 O403 B403 C403 S403 H404"),
    # Achievements.
    "activities:achievement_list":   Row(get="T200 L200 O200 B200 C200 S200 H200", post=AS_GET),
    "activities:achievement_create": Row(get="T200 L200 O200 B200 C200 S200 H200",
                                         post="T200 L200 O200 B200 C200 S200 H200"),
    "activities:committee_honour_create": Row(get="T403 L403 O403 B403 C403 S200 H200",
                                              post="T403 L403 O403 B403 C403 S200 H200"),
    "activities:achievement_queue":  Row(get="T403 L403 O403 B403 C200 S200 H200", post=AS_GET),
    "activities:achievement_detail": Row({"achievement_id": "pending_achievement"},
                                         get="T200 L200 O403 B403 C200 S200 H404", post=AS_GET),
    "activities:achievement_edit":   Row({"achievement_id": "pending_achievement"},
                                         get="T200 L403 O403 B403 C403 S403 H404",
                                         post="T200 L403 O403 B403 C403 S403 H404"),
    "activities:achievement_verify": Row({"achievement_id": "pending_achievement"},
                                         get=NOT_GET, post="T403 L403 O403 B403 C302 S302 H404"),
    # An empty reason re-renders the page with the reason's message beside it (nothing lost).
    "activities:achievement_reject": Row({"achievement_id": "pending_achievement"},
                                         get=NOT_GET, post="T403 L403 O403 B403 C200 S200 H404"),
}
# fmt: on


PDF = pdf_bytes()


def build_dataset() -> dict[str, int]:
    """大坪小学 and 红岩小学 with one object per kind the URLs name, all of 第一党小组; returns their ids."""
    from activities import achievement_services, activity_services, delegation_services, photo_services
    from members import demo
    from members import services as member_services
    from members.models import Member, User
    from projects import review_services, services
    from projects.models import ApplicationPdf, MicroProject, ProjectType
    from stats import services as stats_services
    from tests.activities.conftest import tutoring_data
    from tests.activities.image_files import jpeg_bytes
    from tests.projects.workflow_fixtures import draft_of, full_scores
    from tests.yearend.assessment_fixtures import approved_of, concluded_of, in_progress_of, open_round
    from yearend import report_services
    from yearend.enums import ReportKind

    daping, _hongyan = demo.seed_organisation()
    leader, teacher, committee_member = (
        User.objects.get(username=name) for name in ("leader1", "teacher1", "committee1")
    )

    draft = draft_of(leader, "矩阵：草稿")
    submitted = services.project_submit(actor=leader, project=draft_of(leader, "矩阵：已申报"))
    in_review = services.project_submit(actor=leader, project=draft_of(leader, "矩阵：评审中"))
    review_services.score_record(
        actor=committee_member, project=in_review, scores=full_scores(in_review), recommendation="approve"
    )
    approved = approved_of(leader, "矩阵：已立项")
    open_project = in_progress_of(leader, "矩阵：实施中")
    open_project.attachment.save("申报书.pdf", ContentFile(PDF))
    concluded = concluded_of(leader, "矩阵：已结项")
    assessment_round = open_round()

    activity = activity_services.activity_log_create(
        actor=leader, project=open_project, data=tutoring_data(open_project)
    )
    result = photo_services.photo_upload(
        actor=teacher,
        activity=activity,
        files=[SimpleUploadedFile("活动.jpg", jpeg_bytes(), content_type="image/jpeg")],
    )
    photo = result.saved[0]
    teacher_member = Member.objects.get(user=teacher)
    pending = achievement_services.achievement_record(
        actor=teacher,
        data=achievement_services.AchievementData(
            kind="award",
            title="渝中区班主任基本功大赛一等奖",
            level="district",
            rank="first",
            awarded_on=datetime.date(2025, 4, 10),
            members=[teacher_member],
        ),
        certificate=SimpleUploadedFile("获奖证书.pdf", PDF, content_type="application/pdf"),
    )
    delegate = (
        Member.objects.filter(group_id=open_project.group_id, user__isnull=True, is_active=True)
        .exclude(pk=open_project.group.leader_id)
        .first()
    )
    member_services.member_login_ensure(member=delegate, username="matrix-delegate")
    delegation = delegation_services.delegation_grant(actor=leader, project=open_project, member=delegate)
    job = report_services.report_request(
        actor=committee_member, committee=daping, kind=ReportKind.WORKBOOK, school_year="2025-2026"
    )
    report_services.report_build(job_id=job.pk)
    job.refresh_from_db()
    if not job.pdf_file:  # built without LibreOffice: the PDF download is still walked
        job.pdf_file.save("report.pdf", ContentFile(PDF))
    # The open project's 申报表 as PDF, made as the worker would (the matrix runs without LibreOffice).
    open_project.refresh_from_db()
    application_pdf = ApplicationPdf.objects.create(
        project=open_project, version=open_project.updated_at, requested_by=leader, status="done"
    )
    application_pdf.pdf_file.save("application.pdf", ContentFile(PDF))
    member_services.notification_send(recipients=[teacher], message="矩阵：一条通知")
    # The dashboards read snapshots; computed once here, not on every request of the matrix.
    stats_services.stats_recompute(committee_id=daping.pk)

    assert MicroProject.objects.get(pk=in_review.pk).status == "in_review", "the scored application is in review"
    return {
        "branch": open_project.group.branch_id,
        "group": open_project.group_id,
        "teacher_member": teacher_member.pk,
        "draft": draft.pk,
        "submitted": submitted.pk,
        "in_review": in_review.pk,
        "approved": approved.pk,
        "open_project": open_project.pk,
        "concluded": concluded.pk,
        "assessment_round": assessment_round.pk,
        "activity": activity.pk,
        "photo": photo.pk,
        "pending_achievement": pending.pk,
        "delegation": delegation.pk,
        "report_job": job.pk,
        "project_type": ProjectType.objects.filter(committee=daping).first().pk,
    }

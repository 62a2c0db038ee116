from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    """The 三型 organisation a project type builds."""

    SERVICE = "service", _("服务型")
    LEARNING = "learning", _("学习型")
    INNOVATION = "innovation", _("创新型")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    IN_REVIEW = "in_review", _("评审中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已立项")
    REJECTED = "rejected", _("不予立项")
    IN_PROGRESS = "in_progress", _("实施中")
    CONCLUDED = "concluded", _("已结项")
    WITHDRAWN = "withdrawn", _("已撤回")


# Statuses in which the applying group may still edit the application.
EDITABLE_STATUSES = (ProjectStatus.DRAFT, ProjectStatus.RETURNED)
# Statuses in which reviewers score and the secretary decides.
REVIEWABLE_STATUSES = (ProjectStatus.SUBMITTED, ProjectStatus.IN_REVIEW)
# Statuses the whole school may read: the project has been approved.
PUBLIC_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.CONCLUDED)


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("立项")
    APPROVE_AFTER_REVISION = "revise", _("修改后立项")
    REJECT = "reject", _("不予立项")


class Decision(models.TextChoices):
    APPROVE = "approve", _("立项")
    RETURN = "return", _("退回修改")
    REJECT = "reject", _("不予立项")


class EventAction(models.TextChoices):
    CREATED = "created", _("创建申报")
    SUBMITTED = "submitted", _("提交申报")
    RESUBMITTED = "resubmitted", _("修改后重新提交")
    REVIEW_STARTED = "review_started", _("进入评审")
    SCORED = "scored", _("提交评分")
    SCORE_CHANGED = "score_changed", _("修改评分")
    APPROVED = "approved", _("批准立项")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("不予立项")
    STARTED = "started", _("开始实施")
    CONCLUDED = "concluded", _("结项")
    WITHDRAWN = "withdrawn", _("撤回")
    ASSESSMENT_PUBLISHED = "assessment_published", _("公布考核结果")


class CatalogueAction(models.TextChoices):
    CREATED = "created", _("新增")
    CHANGED = "changed", _("修改")
    DEACTIVATED = "deactivated", _("停用")
    REACTIVATED = "reactivated", _("重新启用")


class CatalogueKindName(models.TextChoices):
    """Which list of the catalogue an entry is in."""

    PROJECT_TYPE = "project_type", _("项目类型")
    INDICATOR = "indicator", _("指标")
    CRITERION = "criterion", _("评审维度")


class PdfStatus(models.TextChoices):
    """How far the worker got with a 申报表's PDF."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未完成")

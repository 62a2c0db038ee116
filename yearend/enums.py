from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessmentStatus(models.TextChoices):
    """A year-end assessment round: committee members score until the secretary publishes."""

    OPEN = "open", _("考核中")
    PUBLISHED = "published", _("已公布")


class AssessmentRating(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class AssessmentAction(models.TextChoices):
    OPENED = "opened", _("开启考核")
    RUBRIC_CHANGED = "rubric_changed", _("修改考核细则")
    THRESHOLDS_CHANGED = "thresholds_changed", _("修改等次分数线")
    SCORED = "scored", _("提交考核评分")
    SCORE_CHANGED = "score_changed", _("修改考核评分")
    PUBLISHED = "published", _("公布考核结果")


class ReportKind(models.TextChoices):
    WORKBOOK = "xlsx", _("年度数据工作簿（Excel）")
    SUMMARY = "docx", _("年度工作总结（Word）")
    NOTICE = "notice", _("考核结果通报（Word，考核结果公布后）")

    @property
    def suffix(self) -> str:
        """The file's extension: the kind's value, except the notice, a Word document."""
        return "docx" if self == ReportKind.NOTICE else self.value


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未完成")

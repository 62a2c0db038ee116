from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityType(models.TextChoices):
    MICRO_PARTY_LESSON = "micro_party_lesson", _("微党课")
    DEMONSTRATION_LESSON = "demonstration_lesson", _("示范课")
    TEACHING_TRIP = "teaching_trip", _("送教下乡")
    ONE_TO_ONE_TUTORING = "tutoring", _("一对一助学")
    PAIRED_SUPPORT = "paired_support", _("结对帮扶")
    VOLUNTEERING = "volunteering", _("志愿服务")
    DONATION = "donation", _("捐赠")
    LECTURE = "lecture", _("讲座/培训")
    PARENT_SCHOOL = "parent_school", _("家长学校")
    PARTY_DAY = "party_day", _("主题党日")
    COMPETITION = "competition", _("竞赛")
    OTHER = "other", _("其他")


class RevisionAction(models.TextChoices):
    UPDATED = "updated", _("修改")
    ARCHIVED = "archived", _("归档")


class AchievementKind(models.TextChoices):
    AWARD = "award", _("获奖")
    HONOUR = "honour", _("荣誉称号")
    PUBLICATION = "publication", _("论文/文章发表")
    RESEARCH_TOPIC = "research_topic", _("课题立项")
    OPEN_LESSON = "open_lesson", _("公开课/示范课")
    PUPILS_WORK = "pupils_work", _("学生作品")


class AchievementLevel(models.TextChoices):
    SCHOOL = "school", _("校级")
    DISTRICT = "district", _("区级")
    CITY = "city", _("市级")
    PROVINCIAL = "provincial", _("省部级")
    NATIONAL = "national", _("国家级")


class AchievementRank(models.TextChoices):
    SPECIAL = "special", _("特等奖")
    FIRST = "first", _("一等奖")
    SECOND = "second", _("二等奖")
    THIRD = "third", _("三等奖")
    MERIT = "merit", _("优秀奖")
    NONE = "none", _("无")


class AchievementStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    VERIFIED = "verified", _("已认定")
    REJECTED = "rejected", _("未通过")

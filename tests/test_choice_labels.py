"""get_FOO_display through config.choice_labels.FastChoiceDisplay answers as Django's own does."""

import datetime

from django.db import models

from activities.enums import AchievementKind, AchievementLevel
from activities.models import Achievement
from projects.enums import ProjectStatus
from projects.models import MicroProject


def test_every_label_is_the_one_django_gives():
    achievement = Achievement(awarded_on=datetime.date(2025, 5, 1))
    field = Achievement._meta.get_field("level")
    for level in AchievementLevel.values:
        achievement.level = level
        assert achievement.get_level_display() == models.Model._get_FIELD_display(achievement, field)
    project = MicroProject(status=ProjectStatus.IN_PROGRESS)
    assert project.get_status_display() == "实施中"
    achievement.kind = AchievementKind.PUPILS_WORK
    assert achievement.get_kind_display() == "学生作品"


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert Achievement(level="galactic").get_level_display() == "galactic"
    assert Achievement(level=None).get_level_display() is None

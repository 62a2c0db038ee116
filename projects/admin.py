from django.contrib import admin

from config.read_only_admin import ReadOnlyAdmin

from .models import CatalogueEvent, Indicator, MicroProject, ProjectEvent, ProjectType, RubricCriterion, ScoreSheet


# The catalogue is kept on its own page (projects:catalogue), whose services record every change.
@admin.register(ProjectType)
class ProjectTypeAdmin(ReadOnlyAdmin):
    list_display = ("name", "organisation_type", "committee", "is_active")
    list_filter = ("committee", "organisation_type")


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("name", "unit", "project_type", "committee", "is_active")
    list_filter = ("committee",)


@admin.register(RubricCriterion)
class RubricCriterionAdmin(ReadOnlyAdmin):
    list_display = ("name", "max_score", "weight", "committee", "is_active")
    list_filter = ("committee",)


@admin.register(MicroProject)
class MicroProjectAdmin(ReadOnlyAdmin):
    list_display = ("title", "group", "project_type", "school_year", "status", "review_round")
    list_filter = ("committee", "status", "school_year")
    list_select_related = ("group", "project_type")
    search_fields = ("title",)


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ReadOnlyAdmin):
    list_display = ("project", "reviewer", "review_round", "weighted_total", "recommendation")
    list_select_related = ("project", "reviewer")


@admin.register(ProjectEvent)
class ProjectEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "project", "actor", "action", "from_status", "to_status")
    list_select_related = ("project", "actor")
    list_filter = ("action",)


@admin.register(CatalogueEvent)
class CatalogueEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "committee", "actor", "action", "item_kind", "item_name")
    list_select_related = ("committee", "actor")
    list_filter = ("committee", "item_kind", "action")

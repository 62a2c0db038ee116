from django.contrib import admin

from config.read_only_admin import ReadOnlyAdmin

from .models import Achievement, AchievementRevision, ActivityDelegation, ActivityLog, ActivityRevision, Photo


@admin.register(ActivityLog)
class ActivityLogAdmin(ReadOnlyAdmin):
    list_display = ("date", "title", "activity_type", "project", "is_archived")
    list_filter = ("activity_type", "is_archived", "project__committee")
    search_fields = ("title", "narrative")


@admin.register(ActivityRevision)
class ActivityRevisionAdmin(ReadOnlyAdmin):
    list_display = ("activity", "action", "edited_by", "edited_at")


@admin.register(Photo)
class PhotoAdmin(ReadOnlyAdmin):
    list_display = ("pk", "activity", "caption", "width", "height", "uploaded_by", "is_archived")
    list_filter = ("is_archived",)


@admin.register(Achievement)
class AchievementAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "level", "rank", "status", "committee")
    list_filter = ("committee", "status", "kind", "level")
    search_fields = ("title", "issuing_body")


@admin.register(ActivityDelegation)
class ActivityDelegationAdmin(ReadOnlyAdmin):
    list_display = ("project", "member", "granted_by", "granted_at", "revoked_by", "revoked_at")
    list_filter = ("project__committee",)


@admin.register(AchievementRevision)
class AchievementRevisionAdmin(ReadOnlyAdmin):
    list_display = ("achievement", "status_before", "edited_by", "edited_at")

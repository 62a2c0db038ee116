from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from config.read_only_admin import ReadOnlyAdmin

from .models import Member, NotificationWebhook, RosterImport, User, WebhookDelivery

admin.site.register(User, UserAdmin)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("name", "committee", "group", "party_status", "committee_role", "is_active")
    list_filter = ("committee", "party_status", "committee_role", "is_active")
    list_select_related = ("committee", "group")
    search_fields = ("name", "subject")
    autocomplete_fields = ("user",)

    def has_delete_permission(self, request, obj=None):
        # Members are archived (is_active), never deleted: their records outlive them.
        return False


@admin.register(RosterImport)
class RosterImportAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "committee", "imported_by", "created_count", "updated_count", "created_at")
    list_select_related = ("committee", "imported_by")


@admin.register(NotificationWebhook)
class NotificationWebhookAdmin(admin.ModelAdmin):
    list_display = ("committee", "kind", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("webhook", "attempts", "last_error", "created_at", "delivered_at")
    list_select_related = ("webhook",)

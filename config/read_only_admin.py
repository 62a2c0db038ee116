"""The admin class for records that change only through the services, never in the admin site."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff may read; adding, changing and deleting go through the services, which check
    permissions and write the audit rows (workflow, evidence, catalogue, roster imports)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin

from .models import Branch, Committee, District, Group


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("school_name", "name", "slug")
    search_fields = ("school_name", "name", "slug")


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ("name", "committee", "secretary", "position")
    list_filter = ("committee",)
    list_select_related = ("committee", "secretary")
    autocomplete_fields = ("secretary",)


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "branch", "leader", "position")
    list_filter = ("branch__committee",)
    list_select_related = ("branch", "leader")
    autocomplete_fields = ("leader",)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    filter_horizontal = ("committees", "overseers")

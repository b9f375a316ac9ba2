from django.contrib import admin

from flows.models import DataDestination, DataSource


class EndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "connector", "credential", "owner", "created_at"]
    list_filter = ["connector"]
    list_select_related = ["credential", "owner"]
    search_fields = ["name"]
    raw_id_fields = ["credential"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("credential__api_key")


admin.site.register(DataSource, EndpointAdmin)
admin.site.register(DataDestination, EndpointAdmin)

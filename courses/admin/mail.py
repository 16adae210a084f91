"""The outbox in the admin, for superusers: what was sent, what waits and why."""

from django.contrib import admin

from courses.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "status", "created_at", "sent_at", "attempts", "last_error")
    list_filter = ("sent_at", "failed_at")
    search_fields = ("to", "subject")
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["send_again_now"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description="Try the selected waiting emails again now")
    def send_again_now(self, request, queryset):
        from django.utils import timezone

        from courses.tasks import deliver_email

        waiting = queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
        count = waiting.update(next_attempt_at=timezone.now())
        for pk in waiting.values_list("pk", flat=True):
            deliver_email.enqueue(pk)
        self.message_user(request, f"{count} queued again.")

from django.apps import AppConfig


def _opened(project_ids: set[str]) -> set[str]:
    """Procurements whose bids have been opened: who bid, withdrew or registered interest in
    them may now be shown in the audit trail (never who asked a clarification)."""
    from consortium.tendering.models import Project

    ids = [int(i) for i in project_ids if i.isdigit()]
    return {
        str(pk)
        for pk in Project.objects.filter(pk__in=ids, opened_at__isnull=False).values_list("pk", flat=True)
    }


class TenderingConfig(AppConfig):
    name = "consortium.tendering"
    label = "tendering"
    verbose_name = "Collaborative tendering"

    def ready(self) -> None:
        from consortium.core import worklist
        from consortium.tendering.worklist import items_for

        worklist.register(items_for)
        from consortium.audit.services import register_revealer

        register_revealer("tendering.project", _opened)

from typing import Any

from django.apps import AppConfig


class SavingsConfig(AppConfig):
    name = "consortium.savings"
    verbose_name = "Savings and cost sharing"

    def ready(self) -> None:
        # The systems that know a saving create it as it happens: a care placement when it is
        # confirmed, a procurement's savings when it is concluded. They sit below savings, so
        # savings listens rather than being called (orders' savings are made monthly).
        from django.db.models.signals import post_save

        from consortium.care.models import Placement
        from consortium.tendering.models import Project

        post_save.connect(_placement_saved, sender=Placement, dispatch_uid="savings-placement")
        post_save.connect(_project_saved, sender=Project, dispatch_uid="savings-project")


def _placement_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        from consortium.savings.services import saving_from_placement

        saving_from_placement(instance)


def _project_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from consortium.tendering.constants import ProjectStatus

    if not raw and instance.status == ProjectStatus.AWARDED:
        from consortium.savings.services import savings_from_award

        savings_from_award(instance)

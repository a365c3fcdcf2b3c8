import logging
from typing import Any

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class CheckConfig(AppConfig):
    name = "consortium.check"
    verbose_name = "Service check"

    def ready(self) -> None:
        # Each system declares what finishes its cases; check listens, so every chart is live
        # without the systems knowing check exists.
        from django.apps import apps
        from django.db.models.signals import post_save

        from consortium.check.registry import STREAMS

        for stream in STREAMS.values():
            for label, ids_of in stream.watch:
                post_save.connect(
                    _receiver(stream.key, ids_of),
                    sender=apps.get_model(label),
                    weak=False,
                    dispatch_uid=f"check-{stream.key}-{label}",
                )


def _receiver(key: str, ids_of: Any) -> Any:
    def saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if raw:
            return
        from consortium.check.cases import refresh

        # The check must never stop a system's own work: a failure here (in its own savepoint)
        # is logged, and the nightly refresh puts the case right.
        try:
            refresh(key, list(ids_of(instance)))
        except Exception:
            logger.exception("Service check could not keep %s %s", key, getattr(instance, "pk", None))

    return saved

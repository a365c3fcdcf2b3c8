from typing import Any

from django.apps import AppConfig


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

        refresh(key, list(ids_of(instance)))

    return saved

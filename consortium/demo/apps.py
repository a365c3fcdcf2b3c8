from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo consortium, loaded across every system: the top layer, which may import any app."""

    name = "consortium.demo"
    label = "demo"
    verbose_name = "Demo"

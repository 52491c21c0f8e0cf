from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"

    def ready(self):
        from .record_cache import connect_signals

        connect_signals()

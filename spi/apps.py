from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpiConfig(AppConfig):
    name = "spi"
    verbose_name = _("Activation measures")

    def ready(self) -> None:
        from ocmw import registries
        from spi import demo, hooks

        registries.client_panels.append(hooks.client_panels)
        registries.timeline_sources.append(hooks.timeline_entries)
        registries.home_panels.append(hooks.home_panels)
        registries.client_activity_summaries.append(hooks.activity_summaries)
        # Runs after the trajectory and GPMI seeders (INSTALLED_APPS order): the
        # outcomes and aftercare need the demo trajectories.
        registries.demo_seeders.append(demo.seed)

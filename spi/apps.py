from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpiConfig(AppConfig):
    name = "spi"
    verbose_name = _("Activation measures")

    def ready(self) -> None:
        from ocmw import registries
        from spi import analytics, demo, hooks

        registries.client_panels.append(hooks.client_panels)
        registries.timeline_sources.append(hooks.timeline_entries)
        registries.home_panels.append(hooks.home_panels)
        registries.client_activity_summaries.append(hooks.activity_summaries)
        from trajecten.registries import case_list_filters

        case_list_filters.append(hooks.measure_case_filter())
        # Runs after the trajectory and GPMI seeders (INSTALLED_APPS order): the
        # outcomes and aftercare need the demo trajectories.
        registries.demo_seeders.append(demo.seed)
        from spi import scale

        registries.scale_seeders.append(scale.seed)  # seed_scale, after the core
        registries.analytics_sections.append(analytics.sections)
        from spi import report

        report.register()  # annual report sections; absences are not staff time
        from spi.reminders import RULES as deadline_rules

        registries.deadline_rules.extend(deadline_rules)
        from spi.figures import aftercare_figure

        registries.team_figures.append(aftercare_figure)

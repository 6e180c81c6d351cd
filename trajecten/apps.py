from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrajectenConfig(AppConfig):
    name = "trajecten"
    verbose_name = _("Trajectories")

    def ready(self) -> None:
        from ocmw import registries
        from trajecten import analytics, demo, hooks
        from trajecten.models import handled_by_counsellor

        registries.client_handlers.append(handled_by_counsellor)
        registries.timeline_sources.append(hooks.timeline_entries)
        registries.client_panels.append(hooks.client_panels)
        registries.home_panels.append(hooks.home_panels)
        registries.demo_seeders.append(demo.seed)
        from trajecten import scale

        registries.scale_seeders.append(scale.seed)  # seed_scale, after the core
        registries.analytics_sections.append(analytics.sections)
        from trajecten import report

        report.register()  # annual report sections
        from trajecten.reminders import RULES as deadline_rules

        registries.deadline_rules.extend(deadline_rules)
        from trajecten.figures import team_figures

        registries.team_figures.append(team_figures)

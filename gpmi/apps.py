from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GpmiConfig(AppConfig):
    name = "gpmi"
    verbose_name = _("GPMI contracts")

    def ready(self) -> None:
        from gpmi import hooks
        from ocmw import registries

        registries.client_panels.append(hooks.client_panels)
        registries.timeline_sources.append(hooks.timeline_entries)
        registries.home_panels.append(hooks.home_panels)
        from gpmi import demo

        registries.demo_seeders.append(demo.seed)
        from gpmi import scale

        registries.scale_seeders.append(scale.seed)  # seed_scale, after the core
        from gpmi import report

        report.register()  # annual report sections
        from gpmi.reminders import RULES as deadline_rules

        registries.deadline_rules.extend(deadline_rules)
        from gpmi.figures import past_deadline_figure

        registries.team_figures.append(past_deadline_figure)

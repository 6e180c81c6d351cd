"""The GPMI scope: ``Gpmi.objects.visible_to`` scopes on the GPMI's own client,
which must give exactly the GPMIs of the trajectories the user may read."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from gpmi import services
from gpmi.models import Gpmi, GpmiType, GpmiVersion
from tests.gpmi.conftest import gpmi_version_data
from trajecten import services as trajecten_services
from trajecten.models import Phase, Trajectory

PERSONAS = [
    "counsellor",
    "colleague",
    "other_team",
    "socialworker",
    "teamlead",
    "intake",
    "admin",
    "outsider",
    "anonymous",
]


@pytest.fixture
def three_gpmis(
    counsellor,
    socialworker,
    outsider,
    gpmi_draft,
    case,
    foreign_case,
    general_team,
    other_ocmw_team,
):
    """``gpmi_draft`` (SPI team), a GPMI of ``case`` in the general team, and one of
    another OCMW, each with a version."""
    general = trajecten_services.trajectory_open(
        actor=socialworker,
        client=case,
        counsellor=socialworker,
        team=general_team,
        phase=Phase.SCREENING,
    )
    foreign = trajecten_services.trajectory_open(
        actor=outsider,
        client=foreign_case,
        counsellor=outsider,
        team=other_ocmw_team,
        phase=Phase.SCREENING,
    )
    made = [gpmi_draft.gpmi]
    for actor, trajectory in ((socialworker, general), (outsider, foreign)):
        gpmi = services.gpmi_create(actor=actor, trajectory=trajectory, type=GpmiType.GENERAL)
        services.version_create(actor=actor, gpmi=gpmi, data=gpmi_version_data())
        made.append(gpmi)
    return made


@pytest.mark.parametrize("name", PERSONAS)
def test_the_gpmi_scope_is_that_of_the_trajectories(persona, name, three_gpmis):
    user = persona(name)
    by_trajectory = Gpmi.objects.filter(
        trajectory__in=Trajectory.objects.visible_to(user).values("pk")
    )
    assert set(Gpmi.objects.visible_to(user)) == set(by_trajectory)
    assert set(GpmiVersion.objects.visible_to(user)) == set(
        GpmiVersion.objects.filter(gpmi__in=by_trajectory)
    )


def test_each_user_sees_the_gpmis_of_the_files_they_read(
    counsellor, socialworker, teamlead, outsider, three_gpmis
):
    spi, general, foreign = three_gpmis
    assert set(Gpmi.objects.visible_to(counsellor)) == {spi}
    assert set(Gpmi.objects.visible_to(socialworker)) == {general}
    assert set(Gpmi.objects.visible_to(teamlead)) == {spi, general}
    assert set(Gpmi.objects.visible_to(outsider)) == {foreign}
    assert set(GpmiVersion.objects.visible_to(outsider)) == set(foreign.versions.all())


def test_a_gpmi_belongs_to_the_client_of_its_trajectory(counsellor, gpmi_trajectory, case):
    """The scope reads the GPMI's own client: it can never differ from the trajectory's."""
    gpmi = Gpmi(
        client=case,
        trajectory=gpmi_trajectory,
        type=GpmiType.GENERAL,
        leefloon_decision_date=datetime.date(2025, 11, 3),
        created_by=counsellor,
    )
    with pytest.raises(ValidationError) as error:
        gpmi.full_clean()
    assert "client" in error.value.message_dict
    made = services.gpmi_create(actor=counsellor, trajectory=gpmi_trajectory, type=GpmiType.GENERAL)
    assert made.client_id == gpmi_trajectory.client_id

"""Pages draw; state holds what they show. Each module registers its routes."""

from . import (
    auth,
    client,
    client_family,
    director,
    director_orientation,
    director_supervision,
    discharge,
    family,
    notes,
    plans,
    referrals,
    screens,
    staff,
    staff_family,
    staff_intake,
    staff_tools,
)


def register_all(app) -> None:
    for module in (auth, director, staff, staff_family, client, client_family, family, staff_intake,
                   director_orientation, plans, notes, screens, staff_tools, discharge, referrals,
                   director_supervision):
        module.register(app)

"""Pages draw; state holds what they show. Each module registers its routes."""

from . import auth, client, client_family, director, family, notes, staff, staff_family


def register_all(app) -> None:
    for module in (auth, director, staff, staff_family, client, client_family, family, notes):
        module.register(app)

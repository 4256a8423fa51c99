"""Pages draw; state holds what they show. Each module registers its routes."""

from . import auth, client, director, family, staff


def register_all(app) -> None:
    for module in (auth, director, staff, client, family):
        module.register(app)

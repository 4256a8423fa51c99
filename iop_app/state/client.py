"""Client portal state (placeholder until the client-portal issue lands)."""

import reflex as rx

from .base import SessionState


class ClientHomeState(SessionState):
    @rx.event
    def load(self):
        with self._db() as (session, actor):
            return self._require_role(session, actor, "client")

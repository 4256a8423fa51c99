"""Family portal state (placeholder until the family issue lands)."""

import reflex as rx

from .base import SessionState


class FamilyHomeState(SessionState):
    @rx.event
    def load(self):
        with self._db() as (session, actor):
            return self._require_role(session, actor, "family")

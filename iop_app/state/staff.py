"""Therapist workspace state (placeholder until the therapist issue lands)."""

import reflex as rx

from .base import SessionState


class RosterState(SessionState):
    @rx.event
    def load(self):
        with self._db() as (session, actor):
            return self._require_role(session, actor, "therapist", "director")

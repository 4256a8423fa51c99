"""Placeholder until the family issue lands."""

import reflex as rx


def register(app: rx.App) -> None:
    return None

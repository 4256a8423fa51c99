"""The director's clinical supervision screen."""

from __future__ import annotations

import reflex as rx

from .. import routes
from ..components.ui import error_banner, field_error, field_label, notice, page_frame
from ..state.director_supervision import ANY_SUPERVISOR, StaffLine
from ..state.director_supervision import SupervisionState as S


def _box(label: str, name: str, field_id, checked) -> rx.Component:
    return rx.hstack(
        rx.el.input(type="checkbox", id=field_id, name=name, default_checked=checked,
                    aria_describedby=field_id + "-error"),
        field_label(label, field_id),
        align="center", spacing="2",
    )


def _person(line: rx.Var[StaffLine]) -> rx.Component:
    prefix = "sup-" + line.id
    mine = S.edited == line.id

    def error(name: str):
        return rx.cond(mine, S.errors.get(name, ""), "")

    return rx.el.li(
        rx.heading(line.name, as_="h2", size="3"),
        rx.text(line.role + " · " + line.email + rx.cond(line.active, "", " · account disabled"),
                size="2", color_scheme="gray"),
        rx.text(line.summary, size="2", margin_y="0.25rem"),
        rx.form(
            rx.el.input(type="hidden", name="user_id", value=line.id),
            rx.vstack(
                _box("Supervisor: may co-sign notes and be named someone's supervisor", "is_supervisor",
                     prefix + "-is", line.is_supervisor),
                field_error(error("is_supervisor"), prefix + "-is"),
                _box("Their notes need co-signature", "needs_cosign", prefix + "-cosign", line.needs_cosign),
                rx.vstack(
                    field_label("Their supervisor", prefix + "-by"),
                    rx.el.select(
                        rx.el.option("Not named: any supervisor or the director", value=ANY_SUPERVISOR),
                        rx.foreach(line.options, lambda o: rx.el.option(o[1], value=o[0])),
                        id=prefix + "-by", name="supervisor_id", default_value=line.supervisor_id,
                        aria_describedby=prefix + "-by-error", class_name="native-select",
                    ),
                    field_error(error("supervisor_id"), prefix + "-by"),
                    spacing="1", width="100%", align="stretch",
                ),
                rx.button("Save", type="submit", size="2", width="fit-content",
                          aria_label="Save supervision: " + line.name),
                spacing="2", width="100%", max_width="32rem",
            ),
            on_submit=S.save, reset_on_submit=False, key=line.key,
        ),
        style={"padding": "0.75rem 0", "borderBottom": "1px solid var(--gray-4)", "listStyle": "none"},
    )


def supervision_page() -> rx.Component:
    return page_frame(
        "Clinical supervision",
        rx.text("Mark who supervises, whose notes need co-signature, and who their supervisor is. A note that "
                "needs co-signature is complete once their named supervisor (or, when none is named, any "
                "supervisor) or the director co-signs it. Supervisors also read the notes and assessments of "
                "the staff they supervise. Every change is in the audit log.", size="2"),
        error_banner(S.error),
        notice(S.message),
        rx.el.ul(rx.foreach(S.staff, _person), id="supervision-staff", style={"padding": 0, "margin": 0}),
        rx.link("Notes awaiting co-signature", href=routes.STAFF_NOTES, margin_top="1rem"),
        width="48rem",
    )


def register(app: rx.App) -> None:
    app.add_page(supervision_page, route=routes.DIRECTOR_SUPERVISION, title="Clinical supervision · IOP",
                 on_load=S.load)

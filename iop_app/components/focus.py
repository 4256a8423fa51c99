"""Move keyboard focus to an element after the server's change has been drawn.

rx.call_script would do it, but Reflex runs scripts sent by the server through eval,
which the Content-Security-Policy forbids (no 'unsafe-eval', see http_headers.py).
This component's code is compiled into the page instead: a React effect that runs
after the render in which the request changed, so the DOM already shows the change
(e.g. the reordered list) when focus moves.
"""

from __future__ import annotations

import hashlib

import reflex as rx
from reflex_base.vars.base import Var, VarData
from reflex_components_core.base.fragment import Fragment


class FocusAfterRender(Fragment):
    """Renders nothing; focuses the element named by `request` ("<counter>:<element id>").

    The counter makes asking for the same element again (a second move of the same
    row) a change. Only changes after the page is hydrated count: the value the
    state still holds from an earlier visit arrives with hydration and is ignored,
    so opening the page never moves focus by itself.
    """

    request: Var[str]

    def add_imports(self):
        return {"react": ["useEffect", "useRef"]}

    def add_hooks(self) -> list[str | Var]:
        request, hydrated = self.request, rx.State.is_hydrated
        # Named after the request (deterministic builds; two requests on a page do not clash).
        ref = "focusBase_" + hashlib.sha256(str(request).encode()).hexdigest()[:10]
        code = (
            f"const {ref} = useRef({request!s});\n"
            f"useEffect(() => {{ const request = {request!s};"
            f" if (!{hydrated!s}) {{ {ref}.current = request; return; }}"
            f" if (request === {ref}.current) return;"
            f" {ref}.current = request;"
            " if (request) document.getElementById(request.slice(request.indexOf(':') + 1))?.focus();"
            f" }}, [{request!s}, {hydrated!s}]);"
        )
        return [Var(code, _var_data=VarData.merge(request._get_all_var_data(), hydrated._get_all_var_data()))]

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), "request"]  # only the hook reads it


def focus_after_render(request: Var[str]) -> FocusAfterRender:
    return FocusAfterRender.create(request=request)

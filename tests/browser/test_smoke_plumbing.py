"""Plumbing smoke test: the prod build loads and talks to its own backend."""


def test_root_loads_and_connects_to_own_backend(page, live_server):
    with page.expect_websocket(lambda ws: "/_event" in ws.url) as ws_info:
        response = page.goto("/")
    assert response is not None and response.ok, response and response.status
    ws = ws_info.value
    # The websocket must target this server's port (api_url baked in at build time).
    assert f":{live_server.port}/" in ws.url, ws.url
    ws.wait_for_event("framereceived", timeout=15_000)
    page.wait_for_load_state("networkidle")
    assert page.locator("body").inner_text().strip() != ""


def test_phone_viewport(phone_page):
    response = phone_page.goto("/")
    assert response is not None and response.ok
    assert phone_page.viewport_size == {"width": 375, "height": 740}

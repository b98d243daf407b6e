"""The API docs in a real browser: Swagger UI renders every resource from local files, and the
Content-Security-Policy blocks nothing (the ``page`` fixture fails the test on a blocked resource)."""

import pytest
from django.conf import settings
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_under_the_csp_without_the_network(page, live_server, coordinator):
    client = Client()
    client.force_login(coordinator)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    outside = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(live_server.url)
            and not request.url.startswith("data:") else None)
    page.goto("/api/docs/")
    page.wait_for_selector(".opblock-tag-section", timeout=20000)
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert {"employees", "programmes", "applications", "pairs", "sessions", "kpis"} <= {t.split()[0] for t in tags}
    assert page.locator(".auth-wrapper .authorize").count() == 1  # Bearer token entry
    assert outside == []

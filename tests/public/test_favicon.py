"""The site's icon: linked from the public and desk pages, served as a static file, and found at /favicon.ico."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.public.reader import tree


def test_the_icon_is_linked_served_and_found_at_the_usual_address(client: FlaskClient) -> None:
    page = client.get("/methodology")
    icons = tree(page).xpath('//link[@rel="icon"]/@href')
    assert icons and icons[0].endswith("/static/favicon.svg")
    icon = client.get(icons[0])
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.get_data()
    icon.close()
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 301
    assert legacy.headers["Location"].endswith("/static/favicon.svg")


def test_the_desk_pages_link_the_icon_too(client: FlaskClient) -> None:
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)

from factcheck.accounts.models import Role


def test_home_for_anonymous_leads_to_the_published_checks(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/checks/")
    assert b"Staff sign in" in client.get("/checks/").data


def test_login_and_desk(login_as, client):
    login_as(Role.EDITOR)
    response = client.get("/")
    assert b"What waits for you" in response.data

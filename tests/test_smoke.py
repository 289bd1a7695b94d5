from factcheck.accounts.models import Role


def test_home_for_anonymous(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"sign in" in response.data


def test_login_and_desk(login_as, client):
    login_as(Role.EDITOR)
    response = client.get("/")
    assert b"The desk" in response.data

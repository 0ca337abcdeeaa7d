"""Helpers for driving the staff inbox as a logged-in staff member would, CSRF tokens and all."""
import re

from bot.inbox.users import Users

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path="/login") -> str:
    page = client.get(path)
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def add_user(app, name="sam", role="staff", password=PASSWORD):
    Users(app.extensions["services"].redis).add(name, password, role)
    return name


def log_in(client, name="sam", password=PASSWORD):
    return client.post("/login", data={"username": name, "password": password, "csrf_token": csrf_token(client)})


def staff_client(app, name="sam", role="staff"):
    add_user(app, name, role)
    return client_for(app, name)


def client_for(app, name):
    """A test client logged in as an existing account."""
    client = app.test_client()
    response = log_in(client, name)
    assert response.status_code == 302 and response.location.endswith("/inbox"), response.data
    return client


def post_form(client, path, data=None, page="/inbox"):
    """POST a form the way the browser does: with the token from a page the user had open."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, page)})


def flashes(client) -> str:
    """The text of the inbox page, where flash messages show."""
    return client.get("/inbox").get_data(as_text=True)

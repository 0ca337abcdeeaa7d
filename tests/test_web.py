"""The web app: the try-it page at / and its JSON endpoint."""
import fakeredis
import pytest

from handlers.web import create_app


@pytest.fixture
def client(engine):
    app = create_app({"TESTING": True, "ENGINE": engine, "REDIS": fakeredis.FakeRedis(decode_responses=True),
                      "SECRET_KEY": b"test-secret"})
    return app.test_client()


def test_page_renders(client, engine):
    page = client.get("/")
    assert page.status_code == 200
    assert engine.config.org_name.encode() in page.data and b"911" in page.data


def test_chat_keeps_a_conversation_per_visitor(client):
    menu = client.post("/chat", json={"text": "menu"}).get_json()
    assert menu["choices"]
    picked = client.post("/chat", json={"text": "2"}).get_json()
    assert picked["topic"] == menu["choices"][1]["topic"]


def test_bad_requests_get_400(client):
    assert client.post("/chat", data="nope", content_type="text/plain").status_code == 400
    assert client.post("/chat", json={"text": 5}).status_code == 400
    assert client.post("/chat", json=["x"]).status_code == 400


def test_oversized_body_is_refused(client):
    assert client.post("/chat", json={"text": "a" * 100_000}).status_code == 413


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"ok": True, "store": "ok"}

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


# -- what an auditor found (issue 13) ------------------------------------------------------------

@pytest.fixture
def real_app(channel_app):
    return channel_app


def test_a_cookieless_flood_on_chat_is_held_by_client_address(real_app, real_redis, engine):
    limit = engine.config.web_per_address_per_minute
    codes = []
    for i in range(200):
        fresh = real_app.test_client()           # no cookie kept: a new "visitor" each time
        codes.append(fresh.post("/chat", json={"text": f"zorbly quuxle {i} frobnitz"}).status_code)
    assert codes[:limit] == [200] * limit and set(codes[limit:]) == {429}, codes
    assert len(list(real_redis.scan_iter("state:*"))) <= limit
    assert len(real_app.extensions["services"].unanswered.records()) <= limit
    other_place = real_app.test_client()
    other_place.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert other_place.post("/chat", json={"text": "where can i get narcan"}).status_code == 200
    # An emergency is answered whatever the count.
    urgent = real_app.test_client().post("/chat", json={"text": "my friend is not breathing"})
    assert urgent.status_code == 200 and engine.config.emergency_number in urgent.get_json()["reply"]
    assert "127.0.0.1" not in " ".join(real_redis.scan_iter("*")), "the address is kept only keyed-hashed"


def test_the_web_channel_is_web_whatever_the_client_says(real_app):
    client = real_app.test_client()
    for claimed in ("sms", "telegram", "whatsapp"):
        assert client.post("/chat", json={"text": "where can i get narcan", "channel": claimed}).status_code == 200
    figures = real_app.test_client().get("/metrics").get_data(as_text=True)
    assert 'channel="web"' in figures
    assert 'channel="sms"' not in figures and 'channel="telegram"' not in figures and 'channel="whatsapp"' not in figures


def nested(depth):
    return "[" * depth + "]" * depth


def test_json_nested_too_deep_is_a_400_not_a_500(real_app):
    from tests.helpers import telegram_webhook
    client = real_app.test_client()
    for body in (nested(1500), '{"text": ' + nested(1500) + "}", '{"update_id": 1, "message": ' + nested(3000) + "}"):
        assert client.post("/chat", data=body, content_type="application/json").status_code == 400
        response = client.post("/telegram", data=body, content_type="application/json",
                               headers={"X-Telegram-Bot-Api-Secret-Token": telegram_webhook.TELEGRAM_SECRET})
        assert response.status_code == 400


def test_trimming_the_unanswered_index_deletes_the_records(real_redis):
    from bot.inbox.unanswered import Unanswered
    unanswered = Unanswered(real_redis, 3600, max_records=3)
    for i in range(7):
        unanswered.record(f"what about the zorbly number {'x' * i} thing", "en", sender=f"s{i}")
    records = [k for k in real_redis.scan_iter("unanswered:*") if k != "unanswered:index"]
    assert len(records) == 3 and real_redis.zcard("unanswered:index") == 3


def test_hsts_only_with_an_https_public_url(engine, real_redis, recorder, real_app):
    from tests.helpers.common import make_app
    assert real_app.test_client().get("/").headers["Strict-Transport-Security"].startswith("max-age=")
    plain = make_app(engine, real_redis, recorder, PUBLIC_URL="http://127.0.0.1:5000")
    assert "Strict-Transport-Security" not in plain.test_client().get("/").headers


def test_behind_a_trusted_proxy_the_limit_is_per_forwarded_address(engine, real_redis, recorder):
    from tests.helpers.common import make_app
    app = make_app(engine, real_redis, recorder, TRUSTED_PROXIES="1")
    limit = engine.config.web_per_address_per_minute
    for i in range(limit):
        assert app.test_client().post("/chat", json={"text": f"zorbly {i}"},
                                      headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert app.test_client().post("/chat", json={"text": "zorbly"},
                                  headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    assert app.test_client().post("/chat", json={"text": "zorbly"},
                                  headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200

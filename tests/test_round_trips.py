"""How many times answering one message waits on the store: counted at the connection, against the test
session's real redis-server, through the app's own Conversations. Every message costs at most three
round trips (before the answer, staff's inbox, after it), whatever it is: an emergency in an open
conversation used to cost sixteen, each one a wait while the texter waits too.

A round trip is one send on the connection: a pipeline or an EVALSHA is one."""
import itertools

import pytest
import redis

from bot.messages import Message
from bot.privacy.identity import sender_key
from tests.helpers.common import make_app

EMERGENCY = "my friend is not breathing"
STAFF = "i want to talk to staff"
MOST = 3
_numbers = itertools.count(100)


class CountingConnection(redis.Connection):
    """A real connection that counts what it sends: each send is one wait for Redis's answer."""
    sent = 0

    def send_packed_command(self, command, check_health=True):
        CountingConnection.sent += 1
        return super().send_packed_command(command, check_health)


@pytest.fixture
def counted(session_redis, real_redis):
    pool = redis.ConnectionPool(connection_class=CountingConnection, host="127.0.0.1", port=session_redis.port,
                                db=0, decode_responses=True, socket_timeout=5)
    client = redis.Redis(connection_pool=pool)
    yield client
    pool.disconnect()


@pytest.fixture
def conversations(engine, counted, recorder):
    app = make_app(engine, counted, recorder)
    found = app.extensions["services"].conversations
    found.hours = None    # always staffed: after hours costs the same, but says something else
    return found


class Texter:
    def __init__(self, conversations):
        self.conversations = conversations
        self.address = f"+1780555{next(_numbers):04d}"
        self.sender = sender_key("sms", self.address, b"k" * 32)

    def send(self, text, event_id=None):
        message = Message(text, "sms", self.sender)
        return self.conversations.handle(message, event_id=event_id, address=self.address)

    def count(self, text, event_id=None):
        """(reply, round trips it took)."""
        before = CountingConnection.sent
        reply = self.send(text, event_id)
        return reply, CountingConnection.sent - before


def test_no_message_costs_more_than_three_round_trips(conversations, engine):
    # The scripts are loaded once per Redis (a restarted one loads them again): not what a message costs.
    warm = Texter(conversations)
    for text in ("hello there", STAFF, "qwzx blorp", EMERGENCY, "DELETE"):
        warm.send(text)

    counts = {}

    def measure(name, texter, text, event_id=None):
        reply, trips = texter.count(text, event_id)
        counts[name] = trips
        return reply

    reply = measure("plain answer", Texter(conversations), "how does naloxone work")
    assert reply.kind == "answer" and reply.topic == "naloxone"

    menu = Texter(conversations)
    assert menu.send("MENU").choices
    reply = measure("menu number", menu, "2")
    assert reply.kind == "answer"

    reply = measure("talk to staff", Texter(conversations), STAFF)
    assert reply.escalate and reply.followups

    reply = measure("emergency", Texter(conversations), EMERGENCY)
    assert reply.emergency and reply.escalate

    open_one = Texter(conversations)
    open_one.send(STAFF)
    reply = measure("emergency in an open conversation", open_one, EMERGENCY)
    assert reply.emergency

    chatting = Texter(conversations)
    chatting.send(STAFF)
    measure("message in an open conversation", chatting, "its about my roommate")
    measure("unanswerable message in an open conversation", chatting, "qwzx blorp")

    reply = measure("STOP", Texter(conversations), "STOP")
    assert reply.topic == "stop"

    flooding = Texter(conversations)
    for n in range(engine.config.messages_per_minute):
        flooding.send(f"hello {n}")
    reply = measure("rate-limited", flooding, "hello again")
    assert reply.kind == "limited"

    retried = Texter(conversations)
    first = retried.send("how does naloxone work", event_id="SM-retry-1")
    reply = measure("retry of a delivery", retried, "how does naloxone work", event_id="SM-retry-1")
    assert reply.text == first.text

    leaving = Texter(conversations)
    leaving.send(STAFF)
    reply = measure("DELETE in an open conversation", leaving, "DELETE")
    assert reply.kind == "delete"

    width = max(map(len, counts))
    print("\nround trips to the store per message:")
    for name, trips in counts.items():
        print(f"  {name:<{width}}  {trips}")
    assert all(trips > 0 for trips in counts.values()), "the counting connection saw the traffic"
    too_many = {name: trips for name, trips in counts.items() if trips > MOST}
    assert not too_many, f"more than {MOST} round trips: {too_many}"


def test_the_inbox_listing_is_one_round_trip_however_long(conversations):
    for _ in range(5):
        Texter(conversations).send(STAFF)
    inbox = conversations.inbox
    before = CountingConnection.sent
    listed = inbox.listing()
    assert len(listed) == 5
    assert CountingConnection.sent - before == 2, "the queue, then every conversation in one pipeline"

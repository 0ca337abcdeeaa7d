"""One place builds the services: the web app and the terminal chat both get their object graph from
bot/services.py build_services, and bot/ stays plain Python."""
import ast

from bot.messages import Message
from bot.privacy.identity import sender_key
from bot.services import Services, build_services
from tests.helpers.common import ROOT, make_app

MASTER = b"k" * 32   # make_app's BOT_SECRET_KEY
ADDRESS = "+15875550142"   # a fictional 555 number


def _calls(path, name: str) -> list[ast.Call]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == name]


def test_the_app_and_the_builder_make_the_same_graph(engine, real_redis, recorder):
    app = make_app(engine, real_redis, recorder)
    served = app.extensions["services"]
    assert isinstance(served, Services)
    # One graph: the conversations write to the very inbox, spool and store the staff pages read.
    conversations = served.conversations
    assert conversations.redis is real_redis and served.redis is real_redis
    assert conversations.inbox is served.inbox and served.inbox.redis is real_redis
    assert conversations.spool is served.spool and conversations.unanswered is served.unanswered
    assert served.users.redis is real_redis and served.web_mailbox.redis is real_redis
    assert served.engine is engine and served.config is engine.config
    assert served.outbox is not None and served.telegram_sender is not None, "the web side attached its senders"
    assert app.config["SECRET_KEY"] == served.session_key

    # The builder called directly with the same store and secret makes the same keys: what the app
    # sealed, a second graph opens, and both hash a texter to the same sender id.
    conversations.hours = None
    sender = sender_key("sms", ADDRESS, served.sender_key)
    reply = conversations.handle(Message("talk to staff", "sms", sender), event_id="SM-services-1", address=ADDRESS)
    assert reply.escalate
    other = build_services(engine=engine, redis=real_redis, master_key=MASTER, spool_dir=served.spool.folder)
    assert (other.sender_key, other.client_address_key, other.session_key) == \
           (served.sender_key, served.client_address_key, served.session_key)
    (conv,) = other.inbox.listing()
    assert other.inbox.address(conv["id"]) == ("sms", ADDRESS)
    assert other.outbox is None and other.live is None, "plain Python: no senders, no reload unless asked"


def test_the_terminal_chat_graph_reaches_no_staff(engine):
    """What `python -m bot chat` builds: the in-process store, no inbox connected, and the texter told so."""
    chat = build_services(engine=engine, redis_url="", master_key=b"c" * 32, connect_staff=False)
    assert chat.embedded
    assert chat.conversations.inbox is None and chat.conversations.spool is None
    reply = chat.conversations.handle(Message("talk to staff", "sms", "a" * 32))
    assert reply.escalate
    assert engine.notice(reply.lang, "staff_not_connected") in reply.followups
    assert chat.inbox.listing() == []


def test_the_app_and_the_chat_call_the_one_builder():
    """Neither side wires the pieces by hand: both call build_services, and nothing else on the web
    side or in the command line constructs what the builder makes."""
    assert _calls(ROOT / "handlers" / "web.py", "build_services")
    assert _calls(ROOT / "bot" / "cli.py", "build_services")
    built_here = ("Conversations", "Inbox", "Spool", "Unanswered", "WebMailbox", "StaffHours", "Scrubber", "LiveEngine",
                  "Users", "derive")
    for path in [ROOT / "bot" / "cli.py", *sorted((ROOT / "handlers").rglob("*.py"))]:
        for name in built_here:
            assert not _calls(path, name), f"{path.relative_to(ROOT)} builds its own {name}"


def test_bot_imports_no_web_framework():
    refused = {"flask", "flask_wtf", "werkzeug", "handlers"}
    found = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            found += [f"{path.relative_to(ROOT)}:{node.lineno} {name}" for name in names
                      if name.split(".")[0] in refused]
    assert found == []

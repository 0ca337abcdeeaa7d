"""Ties the engine to the store: state, opt-out, retries, floods, metrics and privacy-safe logs."""
import dataclasses
import datetime as dt
import logging
import re
import time

from redis.exceptions import RedisError

from bot import config as config_module
from bot import content as content_module
from bot import exchange, metrics
from bot.engine import Engine
from bot.exchange import Exchange
from bot.guard import Guard
from bot.messages import Message, Reply
from bot.state import State, StateStore

log = logging.getLogger("bot.conversation")
_SURROGATES = re.compile("[\ud800-\udfff]")


def _storable(text: str | None) -> str | None:
    """JSON (Telegram, the web page) can carry lone surrogates ("\\ud800"): valid in a str, but no store
    can encode them (a 500 before). They become U+FFFD before anything keeps the text."""
    return _SURROGATES.sub("\ufffd", text) if text else text


def build_engine(cfg=None) -> Engine:
    """Load config and content and build the engine; raises ConfigError or ContentError."""
    cfg = cfg or config_module.load()
    content = content_module.load(cfg.content_dir, cfg.languages, cfg.placeholders())
    return Engine(cfg, content)


class Conversations:
    OPTOUT = exchange.OPTOUT

    def __init__(self, engine: Engine, redis, inbox=None, hours=None, notify=None, unanswered=None, spool=None):
        self.engine = engine
        self.redis = redis
        self.inbox = inbox          # bot.inbox.Inbox: where escalations go (None: no staff inbox)
        self.hours = hours          # bot.hours.StaffHours: None means always staffed
        self.notify = notify        # called with a new urgent conversation (pseudonym, no identity)
        self.unanswered = unanswered    # bot.unanswered.Unanswered: what editors should look at
        self.spool = spool              # bot.spool.Spool: escalations kept on disk while the store is down
        self.states = StateStore(redis, int(engine.config.state_hours * 3600))
        self.guard = Guard(redis, engine.config.messages_per_minute)
        self.optout_seconds = int(engine.config.optout_days * 86400)
        self.exchange = Exchange(redis, self.guard, self.states.ttl, self.optout_seconds)

    def opted_out(self, sender: str) -> bool:
        return bool(self.redis.exists(self.OPTOUT + sender))

    def handle(self, message: Message, event_id: str | None = None, address: str | None = None,
               via: str | None = None) -> Reply | None:
        """Answer a message; None when it is a retry of one already answered.

        `address` (phone number, chat id, web page token) is only ever used sealed, to let staff reply,
        through channel `via` (default: the message's channel; the web page renders replies as SMS or
        Telegram would but is reached on "web"). With the store down every message is still answered,
        and escalations wait in the spool."""
        message = dataclasses.replace(message, text=_storable(message.text), topic=_storable(message.topic))
        if not message.sender:
            return self._unreached(self.engine.reply(message, State()))
        self.deliver_spooled()
        via = via or message.channel
        try:
            return self._handle(message, event_id, address, via)
        except RedisError as exc:
            return self._without_store(message, address, exc, via)

    def _unreached(self, reply: Reply) -> Reply:
        """An escalation that was not stored anywhere: nobody was told, and the texter hears so."""
        if reply.escalate:
            reply.followups.append(self.engine.notice(reply.lang, "staff_unreachable"))
        return reply

    def _handle(self, message: Message, event_id: str | None, address: str | None, via: str) -> Reply | None:
        started = time.perf_counter()
        sender = message.sender
        # Everything needed before answering, in one round trip to the store.
        before = self.exchange.before(message.channel, sender, event_id)
        if before is None:
            metrics.count(self.redis, "duplicate")
            log.info("duplicate delivery ignored channel=%s sender=%s", message.channel, sender[:8])
            return None
        state = State.loads(before.raw_state) if before.raw_state else State()
        state.opted_out = before.opted_out
        conv_id = before.conv_id
        allowed, tell = self.guard.verdict(before.count)
        reading = self.engine.read(message, state)    # the message is understood once, here
        if not allowed and not reading.alarm:
            metrics.count(self.redis, "rate_limited")
            text = self.engine.notice(state.lang, "slow_down") if tell and not state.opted_out else ""
            return Reply(text, "limited", state.lang or self.engine.config.default_language)
        reply = self.engine.reply(message, state, reading)
        if reply.kind == "delete":
            self._erase(sender)
        elif self.inbox is not None and (conv_id or (reply.escalate and address)):
            self._to_staff(message, reply, address, conv_id if conv_id and self.inbox.get(conv_id) else None, via)
        if reply.escalate and not (self.inbox is not None and address):
            self._unreached(reply)
        if reply.kind == "unknown" and self.unanswered is not None and message.text:
            self.unanswered.record(message.text, reply.lang, sender)
        elapsed = time.perf_counter() - started
        # Everything written after answering, in one more round trip.
        self.exchange.after(message.channel, sender, None if reply.kind == "delete" else state.dumps(),
                            state.opted_out, reply.topic, reply.kind, reply.emergency, elapsed)
        # Pseudonymous and content-free: never the address, never the text.
        log.info("answered channel=%s sender=%s kind=%s topic=%s emergency=%s ms=%.1f",
                 message.channel, sender[:8], reply.kind, reply.topic, reply.emergency, elapsed * 1000)
        return reply

    @staticmethod
    def _reason(reply: Reply) -> str:
        if reply.emergency:
            return "crisis" if reply.topic == "mental-health-crisis" else "emergency"
        return "staff" if reply.topic == "talk-to-staff" else "misses"

    def _to_staff(self, message: Message, reply: Reply, address: str | None, conv_id: str | None, via: str) -> None:
        """Open or join the texter's inbox conversation, and keep its transcript. "Alerted" is said
        only after escalate() has stored it (a store failure raises, and the texter is told honestly)."""
        if reply.escalate and address:
            reason = self._reason(reply)
            conv, news = self.inbox.escalate(message.sender, via, address, reason, reply.lang)
            conv_id = conv["id"]
            reply.followups.append(self._staff_notice(reply.lang))
            log.info("escalated conversation=%s reason=%s channel=%s", conv["pseudonym"], reason, via)
            self._alert(conv, news)
        if conv_id:
            self.inbox.note(conv_id, "texter", message.text or f"[pressed: {message.topic}]")
            self.inbox.note(conv_id, "bot", "\n".join([reply.text, *reply.followups]))

    def _alert(self, conv: dict, news: bool) -> None:
        if news and self.notify and int(conv["priority"]) == 0:
            try:
                self.notify(conv)
            except Exception:
                log.exception("could not notify staff of %s", conv["pseudonym"])

    # -- when the store is down ----------------------------------------------------------------

    def _without_store(self, message: Message, address: str | None, exc: Exception, via: str) -> Reply:
        """The content or emergency answer from a fresh state; an escalation goes to the spool."""
        metrics_note = type(exc).__name__
        reply = self.engine.reply(message, State())
        lang = reply.lang
        if reply.kind == "delete":
            reply.text = self.engine.notice(lang, "delete_later")
        elif reply.escalate and address and self.inbox is not None:
            kept = False
            if self.spool is not None:
                try:
                    self.spool.put(message.sender, via, address, self._reason(reply), lang,
                                   [("texter", message.text or f"[pressed: {message.topic}]"), ("bot", reply.text)])
                    kept = True
                except OSError:
                    log.exception("could not spool an escalation sender=%s", message.sender[:8])
            # Honest either way: staff may not see this soon; here is who can help now.
            reply.followups.append(self.engine.notice(lang, "staff_delayed" if kept else "error"))
        elif reply.escalate:
            self._unreached(reply)
        log.error("store unreachable (%s): answered without it channel=%s sender=%s kind=%s topic=%s escalate=%s",
                  metrics_note, message.channel, message.sender[:8], reply.kind, reply.topic, reply.escalate)
        return reply

    def deliver_spooled(self) -> int:
        """Move escalations kept during an outage into the inbox, once the store answers again."""
        if self.spool is None or self.inbox is None or not self.spool.waiting():
            return 0
        try:
            return self.spool.drain(self._deliver)
        except RedisError:
            return 0

    def _deliver(self, entry: dict, address: str) -> None:
        conv, news = self.inbox.escalate(entry["sender"], entry["channel"], address, entry["reason"], entry["lang"])
        for who, text in entry["texts"]:
            self.inbox.note(conv["id"], who, text)
        self.inbox.note(conv["id"], "bot", "[kept while the system was down; delivered late]")
        log.info("escalated conversation=%s reason=%s channel=%s (spooled)", conv["pseudonym"], entry["reason"], entry["channel"])
        self._alert(conv, news)

    def _staff_notice(self, lang: str) -> str:
        now = dt.datetime.now(dt.timezone.utc)
        if self.hours is None or self.hours.staffed(now):
            return self.engine.notice(lang, "alerted")
        back = self.hours.next_start(now)
        when = self.engine.notice(lang, "days").split()[back.weekday()] + " " + back.strftime("%H:%M") if back else "?"
        return self.engine.notice(lang, "after_hours").replace("{back}", when)

    def _erase(self, sender: str) -> None:
        """DELETE: everything kept about this texter goes now, not when it expires."""
        self.states.delete(sender)
        self.redis.delete(self.OPTOUT + sender)
        self.guard.forget(sender)
        if self.inbox is not None:
            self.inbox.erase_sender(sender)
        if self.unanswered is not None:
            self.unanswered.erase_sender(sender)

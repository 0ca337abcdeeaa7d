"""Ties the engine to the store: state, opt-out, retries, floods, metrics and privacy-safe logs."""
import dataclasses
import datetime as dt
import logging
import os
import re
import secrets
import time

from redis.exceptions import RedisError

from bot import config as config_module
from bot.content import load as content_module
from bot.conversation import exchange
from bot.conversation.exchange import LEASE_MS, Answered, Busy, Exchange
from bot.conversation.guard import Guard
from bot.engine.core import Engine
from bot.inbox import inbox as inbox_module
from bot.inbox import unanswered as unanswered_module
from bot.messages import Effect, Message, Reply, ReplyKind
from bot.store import keys, metrics
from bot.store.spool import SpoolUnavailable, StoreGone
from bot.store.state import State, StateStore

log = logging.getLogger("bot.conversation.conversations")
_SURROGATES = re.compile("[\ud800-\udfff]")

# DELETE from the texter: everything kept about them goes now, in one round trip.
# KEYS: state, opt-out, flood count, then the inbox's pointer and queue, then unanswered's
#       contributions and index ('' for a part that is not there).
# ARGV: the inbox's three prefixes, unanswered's record prefix.
_ERASE = ("local function erase_inbox(KEYS, ARGV)\n" + inbox_module.ERASE + "\nend\n"
          "local function erase_unanswered(KEYS, ARGV)\n" + unanswered_module.ERASE + "\nend\n" + """
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
if KEYS[4] ~= '' then erase_inbox({KEYS[4], KEYS[5]}, {ARGV[1], ARGV[2], ARGV[3]}) end
if KEYS[6] ~= '' then erase_unanswered({KEYS[6], KEYS[7]}, {ARGV[4]}) end
return 1
""")


class ClaimStuck(RedisError):
    """A delivery's claim was still held after its lease: answer without the store rather than wait."""


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
    def __init__(self, engine: Engine, redis, inbox=None, hours=None, notify=None, unanswered=None, spool=None):
        self.engine = engine
        self.redis = redis
        self.inbox = inbox          # bot.inbox.inbox.Inbox: where escalations go (None: no staff inbox)
        self.hours = hours          # bot.inbox.hours.StaffHours: None means always staffed
        self.notify = notify        # called with a new urgent conversation (pseudonym, no identity)
        self.unanswered = unanswered    # bot.inbox.unanswered.Unanswered: what editors should look at
        self.spool = spool              # bot.store.spool.Spool: escalations kept on disk while the store is down
        self.states = StateStore(redis, int(engine.config.state_hours * 3600))
        self.guard = Guard(redis, engine.config.messages_per_minute)
        self.optout_seconds = int(engine.config.optout_days * 86400)
        self.exchange = Exchange(redis, self.guard, self.states.ttl, self.optout_seconds)
        self._erase_script = redis.register_script(_ERASE)
        # A test hook, off unless a fault test sets it: a pause inside each request (after the claim,
        # and after staff writes) so that the test's SIGKILL reliably lands mid-request.
        self._stall = float(os.environ.get("BOT_TEST_STALL_SECONDS") or 0)

    def opted_out(self, sender: str) -> bool:
        return bool(self.redis.exists(keys.optout(sender)))

    def handle(self, message: Message, event_id: str | None = None, address: str | None = None,
               via: str | None = None) -> Reply:
        """Answer a message. A retry of a delivery already answered gets the same reply again.

        `address` (phone number, chat id, web page token) is only ever used sealed, to let staff reply,
        through channel `via` (default: the message's channel; the web page renders replies as SMS or
        Telegram would but is reached on "web"). With the store down every message is still answered,
        and escalations wait in the spool."""
        message = dataclasses.replace(message, text=_storable(message.text) or "", topic=_storable(message.topic))
        if not message.sender:
            return self._unreached(self.engine.reply(message, State()))
        via = via or message.channel
        token = secrets.token_hex(8)
        # Without a delivery id (the web page) the request's own token stands in: a short-lived record
        # whose only job is to make the scripts safe to send twice.
        seen = self.guard.seen_key(message.channel, event_id or "local:" + token)
        keep = self.guard.dedupe_seconds if event_id else LEASE_MS // 1000
        try:
            self.deliver_spooled()
            return self._handle(message, seen, keep, token, address, via)
        except RedisError as exc:
            return self._without_store(message, seen, address, exc, via)

    def _unreached(self, reply: Reply) -> Reply:
        """An escalation with nowhere to go (no inbox, or no address to reply to, as in the terminal
        chat): nobody was told, and the texter hears so."""
        if reply.escalate:
            reply.followups.append(self.engine.notice(reply.lang, "staff_not_connected"))
        return reply

    def _claim(self, seen: str, sender: str, token: str):
        """Claim the delivery; while another request holds it (the vendor retried a slow or dead
        delivery), wait until that one has answered (its reply) or its lease ran out (ours now)."""
        deadline = time.monotonic() + LEASE_MS / 1000 + 1
        while True:
            found = self.exchange.before(seen, sender, token)
            if not isinstance(found, Busy):
                return found
            if time.monotonic() > deadline:
                raise ClaimStuck("a delivery's claim outlived its lease")
            time.sleep(min(max(found.ms, 10), 100) / 1000)

    def _pause(self) -> None:
        if self._stall:
            time.sleep(self._stall)

    def _handle(self, message: Message, seen: str, keep: int, token: str, address: str | None, via: str) -> Reply:
        started = time.perf_counter()
        sender = message.sender
        # Everything needed before answering, in one round trip to the store.
        before = self._claim(seen, sender, token)
        if isinstance(before, Answered):
            metrics.count(self.redis, "duplicate")
            log.info("retry answered again from its record channel=%s sender=%s", message.channel, sender[:8])
            return before.reply
        self._pause()
        state = State.loads(before.raw_state) if before.raw_state else State()
        state.opted_out = before.opted_out
        conv_id = before.conv_id
        allowed, tell = self.guard.verdict(before.count)
        reading = self.engine.read(message, state)    # the message is understood once, here
        if not allowed and not reading.alarm:
            text = self.engine.notice(state.lang, "slow_down") if tell and not state.opted_out else ""
            reply = Reply(text, ReplyKind.LIMITED, state.lang or self.engine.config.default_language)
            self.exchange.after(seen, token, keep, reply, message.channel, sender, None, state.opted_out,
                                time.perf_counter() - started, event="rate_limited")
            return reply
        reply = self.engine.reply(message, state, reading)
        erase = Effect.ERASE in reply.effects
        if erase:
            self._erase(sender)
        elif self.inbox is not None and (conv_id or (reply.escalate and address)):
            # At most one round trip, whatever reaches staff (a note, an escalation, a raised priority).
            self._to_staff(message, reply, address, conv_id, seen, via)
        if reply.escalate and not (self.inbox is not None and address):
            self._unreached(reply)
        unanswered_call = None
        if Effect.UNANSWERED in reply.effects and self.unanswered is not None and message.text:
            unanswered_call = self.unanswered.record_call(message.text, reply.lang, sender)
        self._pause()
        elapsed = time.perf_counter() - started
        # The reply, kept with the delivery's record, and everything else written after answering, in
        # one more round trip. Only now may a retry find this delivery answered.
        self.exchange.after(seen, token, keep, reply, message.channel, sender,
                            None if erase else state.dumps(), self._opted_out(before.opted_out, reply), elapsed,
                            unanswered_call=unanswered_call)
        # Pseudonymous and content-free: never the address, never the text.
        log.info("answered channel=%s sender=%s kind=%s topic=%s emergency=%s ms=%.1f",
                 message.channel, sender[:8], reply.kind, reply.topic, reply.emergency, elapsed * 1000)
        return reply

    @staticmethod
    def _opted_out(was: bool, reply: Reply) -> bool:
        """Whether the texter is opted out once this reply is sent (kept with the rest, in one round trip)."""
        if Effect.OPT_OUT in reply.effects:
            return True
        return was and Effect.OPT_IN not in reply.effects

    def _to_staff(self, message: Message, reply: Reply, address: str | None, conv_id: str | None, seen: str,
                  via: str) -> None:
        """Open or join the texter's inbox conversation, and keep its transcript (once per delivery), in
        one round trip. "Alerted" goes to the texter only once that has stored it (a store failure
        raises, and the texter is told honestly); the transcript already has it, as the reply says it."""
        escalation = None
        followups = list(reply.followups)
        if reply.escalate and address:
            escalation = (via, address, reply.escalation, reply.lang)
            followups.append(self._staff_notice(reply.lang))
        conv, news = self.inbox.texter_wrote(
            message.sender, seen, [("texter", message.text or f"[pressed: {message.topic}]"),
                                   ("bot", "\n".join([reply.text, *followups]))],
            self.guard.dedupe_seconds, escalation=escalation, expected=conv_id)
        if escalation:
            reply.followups[:] = followups
            log.info("escalated conversation=%s reason=%s channel=%s", conv["pseudonym"], escalation[2], via)
            self._alert(conv, news)

    def _alert(self, conv: dict, news: bool) -> None:
        if news and self.notify and int(conv["priority"]) == 0:
            try:
                self.notify(conv)
            except Exception:
                log.exception("could not notify staff of %s", conv["pseudonym"])

    # -- when the store is down ----------------------------------------------------------------

    def _without_store(self, message: Message, seen: str, address: str | None, exc: Exception, via: str) -> Reply:
        """The content or emergency answer from a fresh state; an escalation goes to the spool, and the
        texter is told it is kept only once it is on disk."""
        reply = self.engine.reply(message, State())
        lang = reply.lang
        if Effect.ERASE in reply.effects:
            reply.text = self.engine.notice(lang, "delete_later")
        elif reply.escalate and address and self.inbox is not None:
            reply.followups.append(self.engine.notice(lang, "staff_delayed"))
            try:
                if self.spool is None:
                    raise SpoolUnavailable("no spool configured")
                first = self.spool.put(seen, message.sender, via, address, reply.escalation, lang,
                                       [("texter", message.text or f"[pressed: {message.topic}]"), ("bot", reply.text)],
                                       exchange.pack(reply))
                if first is not None:
                    log.info("retry answered again from the spool channel=%s sender=%s", message.channel, message.sender[:8])
                    return exchange.unpack(first)
            except SpoolUnavailable as spool_exc:
                # Nothing kept it: no promise, and who can help right now.
                reply.followups[-1] = self.engine.notice(lang, "staff_unreachable")
                log.error("NOTHING could keep an escalation: store unreachable (%s) and spool not writable (%s); "
                          "the texter was told staff cannot be reached and given the crisis and emergency numbers "
                          "channel=%s sender=%s", type(exc).__name__, spool_exc, message.channel, message.sender[:8])
        elif reply.escalate:
            self._unreached(reply)
        log.error("store unreachable (%s): answered without it channel=%s sender=%s kind=%s topic=%s escalate=%s",
                  type(exc).__name__, message.channel, message.sender[:8], reply.kind, reply.topic, reply.escalate)
        return reply

    def health(self) -> tuple[str, str | None]:
        """("ok" or "unreachable" for the store, None or why no escalation could be kept right now)."""
        try:
            self.redis.ping()
            return "ok", None
        except RedisError as exc:
            store = type(exc).__name__
        if self.spool is None:
            return "unreachable", f"store unreachable ({store}) and no spool"
        why = self.spool.writable()
        return "unreachable", None if why is None else f"store unreachable ({store}) and spool not writable ({why})"

    def deliver_spooled(self) -> int:
        """Move escalations kept during an outage into the inbox, once the store answers again.
        Raises the store's error when it failed again meanwhile."""
        if self.spool is None or self.inbox is None or not self.spool.waiting():
            return 0
        failed: list[Exception] = []
        delivered = self.spool.drain(lambda event, entry, address, reply: self._deliver(event, entry, address, reply, failed))
        if failed:
            self.spool.look_again()
            raise failed[0]
        return delivered

    def _deliver(self, event: str, entry: dict, address: str, reply: str | None, failed: list) -> None:
        try:
            # Once per delivery: a drain cut short after this (a killed worker) delivers it again.
            conv, news = self.inbox.texter_wrote(
                entry["sender"], event, [*entry["texts"], ("bot", "[kept while the system was down; delivered late]")],
                self.guard.dedupe_seconds, escalation=(entry["channel"], address, entry["reason"], entry["lang"]))
            if reply:
                self.exchange.remember(event, reply, self.guard.dedupe_seconds)
        except RedisError as exc:
            failed.append(exc)
            raise StoreGone() from exc
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
        inbox_keys = [keys.inbox_sender(sender), keys.INBOX_QUEUE] if self.inbox is not None else ["", ""]
        unanswered_keys = [keys.unanswered_by(sender), keys.UNANSWERED_INDEX] if self.unanswered is not None else ["", ""]
        self._erase_script(keys=[keys.state(sender), keys.optout(sender), keys.rate(sender), *inbox_keys, *unanswered_keys],
                           args=[*inbox_module.PREFIXES, keys.UNANSWERED])

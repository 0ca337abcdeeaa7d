"""Ties the engine to the store: state, opt-out, retries, floods, metrics and privacy-safe logs."""
import logging
import time

from bot import config as config_module
from bot import content as content_module
from bot import metrics
from bot.engine import Engine
from bot.guard import Guard
from bot.messages import Message, Reply
from bot.state import State, StateStore

log = logging.getLogger("bot.conversation")


def build_engine(cfg=None) -> Engine:
    """Load config and content and build the engine; raises ConfigError or ContentError."""
    cfg = cfg or config_module.load()
    content = content_module.load(cfg.content_dir, cfg.languages, cfg.placeholders())
    return Engine(cfg, content)


class Conversations:
    OPTOUT = "optout:"

    def __init__(self, engine: Engine, redis):
        self.engine = engine
        self.redis = redis
        self.states = StateStore(redis, int(engine.config.state_hours * 3600))
        self.guard = Guard(redis, engine.config.messages_per_minute)
        self.optout_seconds = int(engine.config.optout_days * 86400)

    def opted_out(self, sender: str) -> bool:
        return bool(self.redis.exists(self.OPTOUT + sender))

    def handle(self, message: Message, event_id: str | None = None) -> Reply | None:
        """Answer a message; None when it is a retry of one already answered."""
        if not message.sender:
            return self.engine.reply(message, State())
        started = time.perf_counter()
        if event_id and not self.guard.first_time(message.channel, event_id):
            metrics.count(self.redis, "duplicate")
            log.info("duplicate delivery ignored channel=%s sender=%s", message.channel, message.sender[:8])
            return None
        state = self.states.get(message.sender)
        state.opted_out = self.opted_out(message.sender)
        allowed, tell = self.guard.allow(message.sender)
        if not allowed and not self.engine.alarm(message.text):
            metrics.count(self.redis, "rate_limited")
            text = self.engine.notice(state.lang, "slow_down") if tell and not state.opted_out else ""
            return Reply(text, "limited", state.lang or self.engine.config.default_language)
        reply = self.engine.reply(message, state)
        self._save(message.sender, state, reply)
        elapsed = time.perf_counter() - started
        metrics.record(self.redis, message.channel, reply.topic, reply.kind, reply.emergency, elapsed)
        # Pseudonymous and content-free: never the address, never the text.
        log.info("answered channel=%s sender=%s kind=%s topic=%s emergency=%s ms=%.1f",
                 message.channel, message.sender[:8], reply.kind, reply.topic, reply.emergency, elapsed * 1000)
        return reply

    def _save(self, sender: str, state: State, reply: Reply) -> None:
        if reply.kind == "delete":
            self.states.delete(sender)
            self.redis.delete(self.OPTOUT + sender)
            self.guard.forget(sender)
            return
        self.states.put(sender, state)
        if state.opted_out:
            self.redis.set(self.OPTOUT + sender, "1", ex=self.optout_seconds)
        else:
            self.redis.delete(self.OPTOUT + sender)

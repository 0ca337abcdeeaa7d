"""Ties the engine to stored state: load a sender's state, answer, save it back."""
from bot import config as config_module
from bot import content as content_module
from bot.engine import Engine
from bot.messages import Message, Reply
from bot.state import State, StateStore


def build_engine(cfg=None) -> Engine:
    """Load config and content and build the engine; raises ConfigError or ContentError."""
    cfg = cfg or config_module.load()
    content = content_module.load(cfg.content_dir, cfg.languages, cfg.placeholders())
    return Engine(cfg, content)


class Conversations:
    def __init__(self, engine: Engine, redis):
        self.engine = engine
        self.states = StateStore(redis, int(engine.config.state_hours * 3600))

    def handle(self, message: Message) -> Reply:
        if not message.sender:
            return self.engine.reply(message, State())
        state = self.states.get(message.sender)
        reply = self.engine.reply(message, state)
        if reply.kind == "delete":
            self.states.delete(message.sender)
        else:
            self.states.put(message.sender, state)
        return reply

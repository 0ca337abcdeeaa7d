"""The store's part in answering one message: two round trips, each one Lua script that Redis runs
atomically. Before the answer: claim the delivery, the texter's state, opt-out, flood count and open
inbox conversation. After it: the reply kept with the delivery's record, the new state and the counters.
A message that reaches staff adds one more (bot.inbox.inbox's texter script), so no message costs
more than three. One command each way instead of a dozen keeps a busy night cheap (see bench/load.py).

A delivery (Twilio MessageSid, Telegram update_id) is first *claimed* for a short lease, and only
marked answered together with its reply. So a retry finds either the reply (and sends it again), a
claim still being worked on (and waits), or nothing, when the first delivery died before its outcome
was kept (and is answered in full). Both scripts carry the request's own token, so a client that sends
a script again (its reply was lost) gets the same result and nothing is counted twice."""
import json
from dataclasses import dataclass

from bot.conversation.guard import Guard
from bot.inbox import unanswered
from bot.messages import Choice, Escalation, Reply
from bot.store import keys, metrics, report

# Longer than a live request can take once it holds its claim (each store call gives up after
# bot.store.connection's socket timeout and the request then answers without the store), and short enough that
# the vendor's retry of a delivery whose worker died is answered well inside Twilio's 15 seconds.
LEASE_MS = 5000

_BEFORE = """
-- KEYS: seen, state, optout, rate, inbox conversation.
-- ARGV: this request's token, lease in ms.
local held = redis.call('GET', KEYS[1])
local fresh = true
if held then
  if string.sub(held, 1, 5) == 'done:' then return {2, string.sub(held, 6)} end
  if held ~= 'claim:' .. ARGV[1] then return {3, redis.call('PTTL', KEYS[1])} end
  fresh = false   -- our own claim, sent again by the client: the same answer, nothing counted twice
else
  redis.call('SET', KEYS[1], 'claim:' .. ARGV[1], 'PX', ARGV[2])
end
local count
if fresh then
  count = redis.call('INCR', KEYS[4])
  redis.call('EXPIRE', KEYS[4], 60, 'NX')
else
  count = tonumber(redis.call('GET', KEYS[4]) or '1')
end
return {1, redis.call('GET', KEYS[2]), redis.call('EXISTS', KEYS[3]), count, redis.call('GET', KEYS[5])}
"""

_KEEP = """
-- KEYS: seen, state, optout, metrics, report day.
-- ARGV: token, reply JSON, seconds the reply is kept, state JSON ('' leaves state alone), its ttl,
--       '1' if opted out, opt-out ttl, message counter, latency bucket ('' for none), seconds,
--       report field ('' counts nothing), report ttl.
local held = redis.call('GET', KEYS[1])
if held and held ~= 'claim:' .. ARGV[1] then
  return 0   -- already kept (this script sent twice), or another delivery took over an expired claim
end
redis.call('SET', KEYS[1], 'done:' .. ARGV[2], 'EX', ARGV[3])
if ARGV[4] ~= '' then
  redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[5])
  if ARGV[6] == '1' then redis.call('SET', KEYS[3], '1', 'EX', ARGV[7]) else redis.call('DEL', KEYS[3]) end
end
redis.call('HINCRBY', KEYS[4], ARGV[8], 1)
if ARGV[9] ~= '' then
  redis.call('HINCRBY', KEYS[4], ARGV[9], 1)
  redis.call('HINCRBYFLOAT', KEYS[4], 'latency_sum', ARGV[10])
end
if ARGV[11] ~= '' then
  redis.call('HINCRBY', KEYS[5], ARGV[11], 1)
  redis.call('EXPIRE', KEYS[5], ARGV[12])
end
return 1
"""
# After answering, one round trip: the reply kept (above) and, for a message the bot could not answer,
# its record for editors (bot.inbox.unanswered.RECORD), only when this request's reply was the one kept.
# KEYS: the five above, then unanswered's three (none when there is nothing to record).
# ARGV: the twelve above, then unanswered's.
_AFTER = ("local function keep_reply(KEYS, ARGV)\n" + _KEEP + "\nend\n"
          "local function record_unanswered(KEYS, ARGV)\n" + unanswered.RECORD + "\nend\n" + """
local kept = keep_reply({unpack(KEYS, 1, 5)}, {unpack(ARGV, 1, 12)})
if kept == 1 and #KEYS > 5 then
  record_unanswered({unpack(KEYS, 6, 8)}, {unpack(ARGV, 13)})
end
return kept
""")


@dataclass
class Before:
    """What the store knows about a texter as a message arrives (the delivery is now claimed)."""
    raw_state: str | None
    opted_out: bool
    count: int              # messages from this texter in the current minute, this one included
    conv_id: str | None     # their open inbox conversation, if any


@dataclass
class Answered:
    """The delivery was answered before: here is the reply it got."""
    reply: Reply


@dataclass
class Busy:
    """Another request holds the delivery's claim for `ms` more milliseconds."""
    ms: int


def pack(reply: Reply) -> str:
    """The reply as a retry will render it again (the confidence unrounded, so it is the same reply)."""
    return json.dumps({**reply.as_dict(), "confidence": reply.confidence, "escalation": reply.escalation,
                       "effects": sorted(reply.effects)}, ensure_ascii=False, separators=(",", ":"))


def unpack(raw: str) -> Reply:
    data = json.loads(raw)
    escalation = data.get("escalation")
    if escalation is None and data["escalate"]:
        # Kept before replies carried their reason: the nearest one, so it still reads as escalated.
        escalation = Escalation.EMERGENCY if data["emergency"] else Escalation.STAFF
    return Reply(data["reply"], data["kind"], data["lang"], topic=data["topic"], emergency=data["emergency"],
                 escalation=escalation, confidence=data["confidence"], has_more=data["more"],
                 choices=[Choice(c["number"], c["topic"], c["title"]) for c in data["choices"]],
                 followups=list(data["followups"]), caution=data.get("caution", False),
                 effects=frozenset(data.get("effects", ())))


class Exchange:
    def __init__(self, redis, guard: Guard, state_ttl: int, optout_seconds: int):
        self.redis = redis
        self.guard = guard
        self.state_ttl = state_ttl
        self.optout_seconds = optout_seconds
        # register_script sends EVALSHA and, when a restarted Redis has forgotten the script, loads
        # it again by itself.
        self._before = redis.register_script(_BEFORE)
        self._after = redis.register_script(_AFTER)

    def before(self, seen_key: str, sender: str, token: str) -> Before | Answered | Busy:
        found = self._before(keys=[seen_key, keys.state(sender), keys.optout(sender),
                                   keys.rate(sender), keys.inbox_sender(sender)],
                             args=[token, LEASE_MS])
        if found[0] == 2:
            return Answered(unpack(found[1]))
        if found[0] == 3:
            return Busy(max(int(found[1]), 0))
        _, raw_state, opted_out, count, conv_id = found
        return Before(raw_state or None, bool(opted_out), int(count), conv_id or None)

    def after(self, seen_key: str, token: str, keep_seconds: int, reply: Reply, channel: str, sender: str,
              state_json: str | None, opted_out: bool, seconds: float, event: str | None = None,
              unanswered_call: tuple[list, list] | None = None) -> None:
        """Keep the reply with the delivery's record, the state (unless `state_json` is None), and count
        the answer (or only `event`, e.g. a flood refused); with `unanswered_call`
        (bot.inbox.unanswered.Unanswered.record_call) the message is recorded for editors too."""
        if event:
            message_field, bucket_field, report_field = f"event|{event}", "", ""
        else:
            message_field, bucket_field = metrics.fields(channel, reply.topic, reply.kind, reply.emergency, seconds)
            report_field = report.field(reply.topic, reply.kind, reply.emergency) or ""
        extra_keys, extra_args = unanswered_call or ([], [])
        self._after(keys=[seen_key, keys.state(sender), keys.optout(sender), keys.METRICS, report.key(), *extra_keys],
                    args=[token, pack(reply), keep_seconds, state_json or "", self.state_ttl,
                          "1" if opted_out else "", self.optout_seconds, message_field, bucket_field,
                          repr(seconds), report_field, report.KEEP_DAYS * 86400, *extra_args])

    def remember(self, seen_key: str, reply_json: str, keep_seconds: int) -> None:
        """A delivery answered while the store was down (its escalation spooled): a retry arriving now
        gets that reply again instead of being answered and escalated a second time."""
        self.redis.set(seen_key, "done:" + reply_json, ex=keep_seconds)

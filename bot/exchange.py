"""The store's part in answering one message: two round trips, each one Lua script that Redis runs
atomically. Before the answer: is this a retry, the texter's state, opt-out, flood count and open inbox
conversation. After it: the new state and the counters. One command each way instead of a dozen
keeps a busy night cheap (see bench/load.py)."""
from dataclasses import dataclass

from bot import metrics, report
from bot.guard import Guard
from bot.inbox import Inbox
from bot.state import StateStore

OPTOUT = "optout:"

_BEFORE = """
-- KEYS: seen, state, optout, rate, inbox conversation. ARGV: seconds a delivery id is remembered,
-- or '' when the message has none (the web page).
if ARGV[1] ~= '' and not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return {0}
end
local count = redis.call('INCR', KEYS[4])
redis.call('EXPIRE', KEYS[4], 60, 'NX')
return {1, redis.call('GET', KEYS[2]), redis.call('EXISTS', KEYS[3]), count, redis.call('GET', KEYS[5])}
"""

_AFTER = """
-- KEYS: state, optout, metrics, report day.
-- ARGV: state JSON ('' leaves state alone), its ttl, '1' if opted out, opt-out ttl,
--       message counter, latency bucket, seconds, report field ('' counts nothing), report ttl.
if ARGV[1] ~= '' then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  if ARGV[3] == '1' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[4]) else redis.call('DEL', KEYS[2]) end
end
redis.call('HINCRBY', KEYS[3], ARGV[5], 1)
redis.call('HINCRBY', KEYS[3], ARGV[6], 1)
redis.call('HINCRBYFLOAT', KEYS[3], 'latency_sum', ARGV[7])
if ARGV[8] ~= '' then
  redis.call('HINCRBY', KEYS[4], ARGV[8], 1)
  redis.call('EXPIRE', KEYS[4], ARGV[9])
end
return 1
"""


@dataclass
class Before:
    """What the store knows about a texter as a message arrives."""
    raw_state: str | None
    opted_out: bool
    count: int              # messages from this texter in the current minute, this one included
    conv_id: str | None     # their open inbox conversation, if any


class Exchange:
    def __init__(self, redis, guard: Guard, state_ttl: int, optout_seconds: int):
        self.guard = guard
        self.state_ttl = state_ttl
        self.optout_seconds = optout_seconds
        # register_script sends EVALSHA and, when a restarted Redis has forgotten the script, loads
        # it again by itself.
        self._before = redis.register_script(_BEFORE)
        self._after = redis.register_script(_AFTER)

    def before(self, channel: str, sender: str, event_id: str | None) -> Before | None:
        """None when `event_id` was seen before: a retry of a delivery already answered."""
        found = self._before(keys=[self.guard.seen_key(channel, event_id or ""), StateStore.PREFIX + sender,
                                   OPTOUT + sender, self.guard.rate_key(sender), Inbox.sender_key(sender)],
                             args=[self.guard.dedupe_seconds if event_id else ""])
        if not found[0]:
            return None
        _, raw_state, opted_out, count, conv_id = found
        return Before(raw_state or None, bool(opted_out), int(count), conv_id or None)

    def after(self, channel: str, sender: str, state_json: str | None, opted_out: bool, topic: str | None,
              kind: str, emergency: bool, seconds: float) -> None:
        """Keep the state (unless `state_json` is None) and count the answer."""
        message_field, bucket_field = metrics.fields(channel, topic, kind, emergency, seconds)
        report_field = report.field(topic, kind, emergency)
        self._after(keys=[StateStore.PREFIX + sender, OPTOUT + sender, metrics.KEY, report.key()],
                    args=[state_json or "", self.state_ttl, "1" if opted_out else "", self.optout_seconds,
                          message_field, bucket_field, repr(seconds), report_field or "", report.KEEP_DAYS * 86400])

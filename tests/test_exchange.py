"""The two per-message scripts on a real Redis are safe to run twice: a client that sends one again
(its reply was lost in a stall) gets the same result, and nothing is counted or kept twice."""
from bot.conversation.exchange import Answered, Before, Busy, Exchange
from bot.conversation.guard import Guard
from bot.messages import Reply


def test_scripts_sent_twice_count_once_and_a_claim_expires(real_redis):
    exchange = Exchange(real_redis, Guard(real_redis, 12), 3600, 3600)
    seen = Guard.seen_key("sms", "SM1")
    first = exchange.before(seen, "abc", "token-a")
    assert isinstance(first, Before) and first.count == 1
    assert exchange.before(seen, "abc", "token-a") == first                 # the same script again
    assert isinstance(exchange.before(seen, "abc", "token-b"), Busy)        # a retry meanwhile waits
    reply = Reply("Naloxone ...", "answer", "en", topic="naloxone")
    for _ in range(2):
        exchange.after(seen, "token-a", 86400, reply, "sms", "abc", '{"lang":"en"}', False, 0.001)
    counters = real_redis.hgetall("metrics")
    assert sum(int(v) for k, v in counters.items() if k.startswith("messages|")) == 1
    assert exchange.before(seen, "abc", "token-b") == Answered(reply)       # a retry: the reply again
    assert real_redis.get("rate:abc") == "1"
    # A delivery whose worker died after claiming it: once the lease runs out, a retry takes it over.
    other = Guard.seen_key("sms", "SM2")
    assert isinstance(exchange.before(other, "abc", "dead-worker"), Before)
    real_redis.pexpire(other, 1)
    real_redis.execute_command("DEBUG", "SLEEP", 0.01)
    taken = exchange.before(other, "abc", "retry")
    assert isinstance(taken, Before) and taken.count == 3    # (a taken-over delivery counts as a new try)
    # The dead worker's late write (had it only stalled) cannot overwrite the new owner's.
    exchange.after(other, "dead-worker", 86400, Reply("late", "answer", "en"), "sms", "abc", None, False, 0.001)
    assert real_redis.get(other) == "claim:retry"


def test_a_kept_reply_keeps_its_effects_and_escalation():
    """A retry gets back the reply the engine made: its kind, effects and why staff were told."""
    from bot.conversation.exchange import pack, unpack
    from bot.messages import Effect, Escalation, ReplyKind
    reply = Reply("Erased.", "delete", "en", topic="privacy", effects=frozenset({Effect.ERASE}))
    again = unpack(pack(reply))
    assert again == reply and again.kind is ReplyKind.DELETE and again.effects == {Effect.ERASE}
    crisis = Reply("Call 988.", ReplyKind.EMERGENCY, "en", emergency=True, escalation=Escalation.CRISIS)
    assert unpack(pack(crisis)).escalation is Escalation.CRISIS

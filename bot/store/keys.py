"""Every Redis key this bot uses, named in one place.

What a key holds is documented where it is used; here is only how its name is made, so that a reader
(or an auditor checking that no identity is kept in clear) can see the whole store at once. Every
per-person key ends in a hash: a sender key (bot.privacy.identity.sender_key, a keyed hash of channel
and address), a keyed hash of a login name or client address, or a random id; never an address.

Lua scripts that need a key they cannot be handed up front (an id read inside the script) get its
prefix from here as an argument, never spelled out in the script.
"""
import hashlib

# -- one texter's message (bot.conversation) -------------------------------------------------------
STATE = "state:"                 # + sender: language, last menu, MORE queue (JSON)
OPTOUT = "optout:"               # + sender: present while they have said STOP
RATE = "rate:"                   # + sender: messages in the current minute
SEEN = "seen:"                   # + hashed delivery id: its claim, then its reply
RATE_WEB = "rate-web:"           # + keyed hash of a client address: /chat requests this minute

# -- staff inbox (bot.inbox.inbox) ----------------------------------------------------------------
INBOX_QUEUE = "inbox:queue"      # zset: conversation id -> priority and age
INBOX_SENDER = "inbox:sender:"   # + sender: their open conversation's id
INBOX_CONV = "inbox:conv:"       # + conversation id: the conversation (hash)
INBOX_MSGS = "inbox:msgs:"       # + conversation id: its transcript (list)
INBOX_ADDR = "inbox:addr:"       # + conversation id: the sealed address
NOTED = "noted:"                 # + seen key: this delivery's lines are in a transcript already

# -- what the bot could not answer (bot.inbox.unanswered) -------------------------------------------
UNANSWERED_INDEX = "unanswered:index"   # zset: record id -> last seen
UNANSWERED = "unanswered:"              # + record id (a hash of language and words)
UNANSWERED_BY = "unanswered-by:"        # + sender: which records they added to, for DELETE

# -- staff accounts and sessions (bot.inbox.users, bot.inbox.sessions) ----------------------------
USERS = "users"                          # hash: name -> password hash and role
LOGIN_PAIR = "login-pair:"               # + account hash ":" address hash: wrong tries from there
LOGIN_ACCOUNT = "login-account:"         # + account hash: wrong tries from everywhere
LOGIN_KNOWN = "login-known:"             # + account hash: addresses it logged in from
STAFF_SESSION = "staff-session:"         # + token hash: whose session
STAFF_SESSIONS_OF = "staff-sessions-of:"  # + user name: their session token hashes

# -- the web page's mailbox (bot.inbox.web_mailbox) -------------------------------------------------
WEB_MAIL = "web:mail:"           # + sender: staff replies waiting for the page

# -- counters and status (bot.store.metrics, bot.store.report, bot.editing.live) --------------------
METRICS = "metrics"              # hash: Prometheus counters
REPORT_DAY = "report:day:"       # + YYYY-MM-DD: topic counts of one day
CONTENT_STATUS = "content:status"  # the last content reload's outcome (JSON)


def state(sender: str) -> str:
    return STATE + sender


def optout(sender: str) -> str:
    return OPTOUT + sender


def rate(sender: str) -> str:
    return RATE + sender


def seen(channel: str, event_id: str) -> str:
    """Where a delivery id is remembered (hashed: a Twilio MessageSid is not an identity, but nothing
    from a vendor is kept in clear)."""
    return SEEN + hashlib.sha256(f"{channel}:{event_id}".encode()).hexdigest()[:32]


def rate_web(address_hash: str) -> str:
    return RATE_WEB + address_hash


def inbox_sender(sender: str) -> str:
    return INBOX_SENDER + sender


def inbox_conv(conv_id: str) -> str:
    return INBOX_CONV + conv_id


def inbox_msgs(conv_id: str) -> str:
    return INBOX_MSGS + conv_id


def inbox_addr(conv_id: str) -> str:
    return INBOX_ADDR + conv_id


def noted(once: str) -> str:
    return NOTED + once


def unanswered(record_id: str) -> str:
    return UNANSWERED + record_id


def unanswered_by(sender: str) -> str:
    return UNANSWERED_BY + sender


def login_pair(account: str, where: str) -> str:
    return f"{LOGIN_PAIR}{account}:{where}"


def login_account(account: str) -> str:
    return LOGIN_ACCOUNT + account


def login_known(account: str) -> str:
    return LOGIN_KNOWN + account


def staff_session(token_hash: str) -> str:
    return STAFF_SESSION + token_hash


def staff_sessions_of(user: str) -> str:
    return STAFF_SESSIONS_OF + user


def web_mail(sender: str) -> str:
    return WEB_MAIL + sender


def report_day(day: str) -> str:
    return REPORT_DAY + day

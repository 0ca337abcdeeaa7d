"""`python -m bot users add NAME [--role staff|editor|admin]`, `users list`, `users remove NAME`,
`users role NAME ROLE`, `users unlock NAME`.

Accounts live in the store named by REDIS_URL, so run this with the same REDIS_URL as the app (and,
for `unlock`, the same BOT_SECRET_KEY: login counters are kept under keyed hashes). Adding an existing
account again (a new password), changing its role or removing it ends its sessions at once.
"""
import getpass
import os
import sys

from bot.inbox.users import ROLES, UserError, Users
from bot.privacy.identity import derive
from bot.store import connection as store


def main(args) -> int:
    if not os.environ.get("REDIS_URL"):
        print("REDIS_URL is not set: accounts would vanish with this command. Set it to the app's Redis.", file=sys.stderr)
        return 2
    secret = os.environ.get("BOT_SECRET_KEY", "")
    users = Users(store.connect(), derive(secret.encode(), "login") if secret else b"")
    if args.action == "list":
        for name, role in users.list():
            print(f"{name}\t{role}")
        return 0
    if not args.name:
        print("give a user name", file=sys.stderr)
        return 2
    if args.action == "remove":
        print("removed" if users.remove(args.name) else "no such user")
        return 0
    if args.action == "unlock":
        if not secret:
            print("BOT_SECRET_KEY is not set: run this with the app's BOT_SECRET_KEY", file=sys.stderr)
            return 2
        users.unlock(args.name)
        print(f"unlocked {args.name.lower()}")
        return 0
    if args.action == "role":
        if args.role_name not in ROLES:
            print(f"give a role: {', '.join(ROLES)}", file=sys.stderr)
            return 2
        print(f"{args.name.lower()} is now {args.role_name}" if users.set_role(args.name, args.role_name) else "no such user")
        return 0
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password (10+ characters): ")
        if getpass.getpass("Again: ") != password:
            print("the passwords differ", file=sys.stderr)
            return 2
    try:
        users.add(args.name, password, args.role)
    except UserError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"added {args.name.lower()} ({args.role})")
    return 0


def add_parser(sub) -> None:
    users = sub.add_parser("users", help="staff accounts for the inbox")
    users.add_argument("action", choices=["add", "list", "remove", "role", "unlock"])
    users.add_argument("name", nargs="?")
    users.add_argument("role_name", nargs="?", metavar="ROLE", help="for `role`: staff, editor or admin")
    users.add_argument("--role", default="staff", choices=ROLES)
    users.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

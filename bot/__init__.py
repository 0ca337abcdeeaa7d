"""The answer engine: a channel-neutral message in, a reply out. Plain Python, no web framework."""

"""Keeping identities out: keyed hashes, sealed addresses, scrubbing numbers and names, pseudonyms."""

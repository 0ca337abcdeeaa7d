"""Around the engine: per-texter state, retries and rate limits, escalation to the inbox, kept atomically in the store."""

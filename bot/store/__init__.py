"""Redis and what stands in for it: the connection, conversation state, the disk spool, metrics and reports."""

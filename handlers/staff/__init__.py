"""Staff pages: the inbox (escalations, replies) and the content editor's preview."""

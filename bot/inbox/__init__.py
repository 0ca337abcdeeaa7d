"""The staff side's data: escalated conversations, staff hours, staff accounts and sessions, unanswered questions."""

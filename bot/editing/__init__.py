"""Editors' tools above the engine: the content check (which runs the engine), edits from the inbox, live reload."""

"""The editor-owned content as Python objects: topics, languages, emergency words, training lines. Below the engine, which reads it."""

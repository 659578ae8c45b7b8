"""Honest hand-written fakes for tests: a loopback OpenAI-compatible server and a small fallback answerer."""

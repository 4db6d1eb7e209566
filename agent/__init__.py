"""Calls: one pipeline per connection (session.py), the process's live calls (calls.py), a scripted caller."""

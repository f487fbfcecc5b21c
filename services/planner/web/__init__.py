"""Pages for people: server-rendered HTML beside the JSON API, phone first.

Every state change is a plain form POST (CSRF-protected) that works without JavaScript;
the pages run commands through the same handlers and views as the JSON routes.
"""

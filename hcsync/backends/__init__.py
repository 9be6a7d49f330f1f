"""Backends: one Protocol, one implementation per hosted help center."""

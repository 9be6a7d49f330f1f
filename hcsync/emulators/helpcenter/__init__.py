"""Emulator of the Help.Center REST API v0 (shared/api/helpcenter.md)."""

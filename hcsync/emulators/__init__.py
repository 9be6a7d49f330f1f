"""Faithful emulators of the hosted help centers, written from shared/api/*.md.

Nothing here imports ``hcsync.backends``: each side is written from the documentation, so a
misreading cannot hide on both sides.
"""

"""The plan: a pure diff of (Site, Lockfile, Snapshot) into ordered Actions."""

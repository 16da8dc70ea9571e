"""The service: app factory, settings, database, CLI, and (later) cases, dispatch and reports."""

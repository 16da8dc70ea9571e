"""The HTTP plumbing: middleware, problem+json, the database engine, logs, health."""

"""HTTP glue shared by every FastAPI function: envelope, auth dependency, app factory."""

"""The HTTP edge: the FastAPI app, its dependencies and the problem+json error handler."""

"""ASGI entry for multi-process serving (``uvicorn omohub.api.asgi:app``)."""

from omohub.api.app import create_app
from omohub.bootstrap import build_hub

app = create_app(build_hub())

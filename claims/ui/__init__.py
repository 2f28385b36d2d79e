"""The review UI (`claims ui`): flags by story and quantity, verdicts, documents, runs."""

from claims.ui.app import create_app, serve

__all__ = ["create_app", "serve"]

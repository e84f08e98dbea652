"""The classroom web app (`negotiate serve`): rooms, teams, the game through `negotiation.drivers.human`, a debrief."""

from negotiation.classroom.app import create_app, serve

__all__ = ["create_app", "serve"]

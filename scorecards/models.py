"""Interactions, frameworks and reviews arrive with the Scorecards issue."""

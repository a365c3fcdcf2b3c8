"""Consortium: shared procurement services for a consortium of public bodies."""

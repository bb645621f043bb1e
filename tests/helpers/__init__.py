"""Test helpers that are not fixtures: private databases and servers for reliability tests."""

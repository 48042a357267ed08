"""Printed documents of the collection."""

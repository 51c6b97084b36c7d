"""The base layer: errors, settings and character tables that every other package may import."""

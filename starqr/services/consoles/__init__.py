"""Reads behind the console pages, by area (no Flask here: views pass what they parsed)."""

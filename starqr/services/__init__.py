"""Use cases shared by the views, the API and the CLI."""

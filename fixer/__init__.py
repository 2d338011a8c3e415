"""dockerfix: make Python dependency installs in Docker builds fast and correct."""

__version__ = "0.1.0.dev0"

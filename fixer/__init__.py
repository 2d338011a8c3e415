"""dockerfix: make Python dependency installs in Docker builds fast and correct."""

__version__ = "0.1.0.dev0"
# Where the project lives; the rules' pages are linked from every finding.
REPOSITORY = "https://github.com/dockerfix/dockerfix"

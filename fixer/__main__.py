"""`python -m fixer` runs the command line."""

from .entry import main

main()

"""`python -m fixer` runs the command line."""

from .cli import main

main()

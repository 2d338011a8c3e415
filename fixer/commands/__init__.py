"""Commands that build on a run of the rules: `pr` (fix pull requests). Each is imported
only when its command runs."""

"""End-to-end tests in a real image builder (buildah); see docs/e2e.md."""

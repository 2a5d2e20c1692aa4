"""posthog-codegen: OpenAPI spec -> typed, vendorable Python client (see README.md)."""

"""Front end: read a spec file safely (load), check it against OpenAPI (validate)."""

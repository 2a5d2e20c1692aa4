"""The intermediate model (model) and its parser (parse, schemas, naming)."""

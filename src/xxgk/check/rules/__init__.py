"""Rule modules; every module here is imported by `xxgk.check.registry.load_rules`."""

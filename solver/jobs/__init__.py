"""Jobs built on the engine: one task end to end, the CI bot."""

"""The evaluation harness: eval, executors, reports, scale, grading, validation, benches,
synthesis."""

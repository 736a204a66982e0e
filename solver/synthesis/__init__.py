"""Task synthesis: real PyPI packages' own test suites + injected bugs → SWE-bench-format tasks.

mutate  tree-sitter mutations of library code
write   SWE-bench-format records (problem statement from tasks/synth/templates)
build   sdist → git repo with one commit per bug, coverage baseline, validation
"""

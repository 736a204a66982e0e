"""Task synthesis: real PyPI packages' own test suites + injected bugs → SWE-bench-format tasks.

recipes  tasks/synth/packages.toml: how each package's tests run
sdist    the source distribution, downloaded once, checked by hash, unpacked
repo     a git repo per package: `pristine` is the sdist, one branch per bug
mutate   tree-sitter mutations of library code
write    SWE-bench-format records (problem statement from tasks/synth/templates)
build    coverage baseline, mutants verified in the sandbox, tasks written
sample   the committed sample, rebuilt from PyPI by hash
"""

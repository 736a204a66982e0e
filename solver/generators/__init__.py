"""Generators: the offline search and the LLM path, behind solver.protocols.Generator."""

"""The program format, from a TOML file to the timeline a session runs: the pydantic models of
a file (`model`), its loader with located problems (`loader`), the resolved program (`resolved`)
and its timeline (`timeline`), the JSON Schema, the starter file, and the cache of programs
loaded before (`cache`).

Pure: no Textual, no database. Only `model`, `loader` and `schema` import pydantic; a program
run before comes from the cache without it.
"""

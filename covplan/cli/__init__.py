"""The ``covplan`` command line: one module per command, errors turned into exit codes."""

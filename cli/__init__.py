"""The `resume-agent` command line."""

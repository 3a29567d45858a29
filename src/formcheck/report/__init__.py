"""Report writers: every output is built from the same Analysis and written atomically."""

"""The collection's writes: one module per action family."""

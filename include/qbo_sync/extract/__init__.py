"""Extract: decide what a run works on, and read it from the source in chunks."""

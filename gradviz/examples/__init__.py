"""The built-in examples: the graphs of the seed course problems, shipped as graph files."""

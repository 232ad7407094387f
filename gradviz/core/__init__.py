"""The core: the op table, graphs, the parser and the evaluator. Imports no view."""

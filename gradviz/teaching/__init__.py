"""Teaching tools built on the views: the answer checker and problem variants."""

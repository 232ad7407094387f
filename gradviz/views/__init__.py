"""Views of an evaluated trace: story, figures, frames, videos, solutions."""

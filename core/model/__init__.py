"""A model's loss as the landscape: the tutorial's perceptron over a seeded data set (data.py), as an objective the
descent loop runs (objective.py), slices of bigger models' landscapes (network.py, slices.py)."""

"""Selection: the tournament, behaviour clusters, judges."""

"""Console routes, one module per area; thin: parse, authorise, call one service, render."""

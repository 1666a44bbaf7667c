"""Pure Plotly builders: data in as arguments, a new figure out."""

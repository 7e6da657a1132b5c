"""One module per suite: its registry entry (SUITE), its rows, its summary and brief."""

"""What people read: narration, plots (one module per figure, each a Figure) and reports."""

"""What people and programs read: units, run folders, narration, plots and reports."""

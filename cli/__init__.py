"""The budgetsim command line (typer). Reads files, calls the model, writes what it returns."""

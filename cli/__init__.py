"""The budgetsim command line (typer). Reads files, calls the model, writes what it returns."""

import os

# The command runs once per invocation, so start-up time matters: pydantic otherwise scans
# every installed package's entry points for validation plugins on first use. The CLI uses
# none; library users importing budgetsim directly are not affected.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

#: Exit codes of every command (docs/cli.md#exit-codes): success; the scenario ran but a
#: checked condition failed (a rule, the target, divergence); bad input or usage.
EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2

"""Run the command line: ``python -m discourse``."""

from discourse.cli import main

raise SystemExit(main())

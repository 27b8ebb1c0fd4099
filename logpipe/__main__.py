"""Allow `python -m logpipe`."""

from logpipe.cli import main

raise SystemExit(main())

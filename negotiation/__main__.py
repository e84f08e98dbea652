"""``python -m negotiation``: the same command line as ``negotiate``."""

from negotiation.cli import main

if __name__ == "__main__":
    main()

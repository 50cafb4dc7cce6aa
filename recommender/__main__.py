"""``python -m recommender`` runs the command-line interface."""

from recommender.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

"""The command entry point: a plain script, as MLflow runs it."""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--greeting", default="hello")
    parser.add_argument("--times", type=int, default=1)
    args = parser.parse_args()
    for _ in range(args.times):
        print(f"{args.greeting} from the example project")


if __name__ == "__main__":
    main()

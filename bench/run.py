"""Benchmark entry point (placeholder: `make bench`)."""


def main() -> None:
    print("no benchmarks defined yet")


if __name__ == "__main__":
    main()

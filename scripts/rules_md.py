"""Print the rules as a Markdown table (pasted into the README; tests/test_readme.py keeps them in sync)."""

from xxgk.check.registry import load_rules


def main() -> None:
    rules = sorted(load_rules().values(), key=lambda r: (r.scope, r.family, r.code))
    print("| code | severity | scope | what it checks |")
    print("|---|---|---|---|")
    for r in rules:
        print(f"| `{r.code}` | {r.severity} | {r.scope} | {r.summary} |")


if __name__ == "__main__":
    main()

def main() -> None:
    print("generating reports")


if __name__ == "__main__":
    main()

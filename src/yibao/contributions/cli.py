def configure(e) -> None:
    pass


def run(args) -> int:
    return 0

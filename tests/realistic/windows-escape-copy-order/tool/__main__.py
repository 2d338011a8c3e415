print("tool")

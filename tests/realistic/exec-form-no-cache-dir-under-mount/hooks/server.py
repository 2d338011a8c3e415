print("hooks")

print("geo")

print("ml")

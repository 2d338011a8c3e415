print("inventory")

print("tiles")

print("payments")

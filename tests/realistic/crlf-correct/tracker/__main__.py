print("tracker")

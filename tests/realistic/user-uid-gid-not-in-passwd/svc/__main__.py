print("svc")

print("agent")

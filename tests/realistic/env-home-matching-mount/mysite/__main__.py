print("mysite")

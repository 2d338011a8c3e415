print("crawl")

print("quotes")

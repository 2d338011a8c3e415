print("invoices")

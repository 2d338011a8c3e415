
   
	

  # nothing here

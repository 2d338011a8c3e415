FROM python:3.12-slim
RUN pip install --no-cache-dir \ 
    flask \	
    gunicorn \ 	 
    psycopg[binary]   
ENV A=1 \  
    B=2
CMD gunicorn app:app \		

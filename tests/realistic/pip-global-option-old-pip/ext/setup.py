from setuptools import setup

setup(name="ext", version="1.0")

FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1
# torch first, from the CPU index: camel-tools would otherwise pull a CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md alembic.ini ./
COPY worker ./worker
COPY db ./db
COPY migrations ./migrations
COPY seeds ./seeds
RUN pip install '.[monitor]'
RUN useradd --create-home khabar
USER khabar
CMD ["khabar", "worker"]

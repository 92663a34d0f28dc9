# The dateline indexer and web service (one image, two commands).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY core ./core
COPY indexer ./indexer
COPY service ./service
COPY seeds ./seeds
RUN pip install --no-cache-dir -c constraints.txt . && useradd --system dateline
USER dateline
# The 7.17 Python client speaks to Elasticsearch 8 in compatibility mode.
# The system user has no home: the gazetteer and language-model cache lives in /tmp for the container's life.
ENV ELASTIC_CLIENT_APIVERSIONING=true \
    DATELINE_CACHE_DIR=/tmp/dateline-cache \
    ES_URL=http://elasticsearch:9200 \
    DATELINE_HOST=0.0.0.0 \
    DATELINE_PORT=8000
EXPOSE 8000
CMD ["dateline", "serve"]

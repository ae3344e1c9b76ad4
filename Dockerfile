# Container images of the chat (docs/deploying.md "Docker"). NOT BUILT BY CI: the project's machines
# have no Docker engine, so this file has never been built; the commands it runs are the
# ones the VM steps of docs/deploying.md and the tests use.
#
#   docker build -t chat-backend .                      the backend (default target)
#   docker build --target web --build-arg API_URL=https://chat.example.org -t chat-web .
#                                                       the static export, served by nginx

FROM python:3.11-slim-bookworm AS base
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REFLEX_TELEMETRY_ENABLED=false
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .

# --- The frontend: Reflex builds it with Bun; Node's npm only fetches Bun (as `make` does).
FROM base AS web-build
ARG API_URL
RUN test -n "$API_URL" || { echo "build with --build-arg API_URL=https://backend.host" >&2; exit 1; }
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/* \
    && npm install -g --no-audit --no-fund bun@1.4.4
# What `make export API_URL=...` runs.
RUN REFLEX_USE_SYSTEM_BUN=1 REFLEX_API_URL="$API_URL" \
    reflex export --frontend-only --no-zip --env prod \
    && python -m chat_app.http.security_headers .web/build/client --api-url "$API_URL" \
        > /app/chat-security-headers.conf

FROM nginx:stable-bookworm AS web
COPY deploy/nginx-static.conf /etc/nginx/conf.d/default.conf
COPY --from=web-build /app/chat-security-headers.conf /etc/nginx/snippets/
COPY --from=web-build /app/.web/build/client /usr/share/nginx/html

# --- The backend (the last stage, so the default target). No Node or Bun: backend-only
# never builds the frontend.
FROM base AS backend
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app chat \
    && mkdir -p /data \
    && chown -R chat:chat /app /data
# Embedded profile: the database and the files on the /data volume. For the scaled
# profile set REFLEX_DB_URL, REFLEX_REDIS_URL and CHAT_AZURE_STORAGE_CONNECTION_STRING.
ENV REFLEX_DB_URL=sqlite:////data/chat.db \
    CHAT_DATA_DIR=/data/files
VOLUME /data
USER chat
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/ping', timeout=4)"
# tini forwards `docker stop`'s SIGTERM; the script migrates, then runs the backend.
ENTRYPOINT ["tini", "--"]
CMD ["sh", "/app/deploy/entrypoint.sh"]

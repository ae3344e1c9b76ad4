#!/bin/sh
# Container start (Dockerfile, docs/deploying.md "Docker"): apply the migrations, then the backend.
# With several containers on one database, start one first (or run
# `docker run --rm IMAGE reflex db migrate` once): two migrations at once can collide.
set -eu
reflex db migrate
exec reflex run --env prod --backend-only --backend-host 0.0.0.0 --backend-port 8000

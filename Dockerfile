# One image for every Crateflow service; the service is chosen by the command, e.g.
#   docker run crateflow apps/ingest/src/main.ts
# TypeScript runs through @swc-node/register (compiled on load), as with `npm start`.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && node -e "require.resolve('typescript'); require.resolve('@swc-node/register')"

FROM node:20-bookworm-slim
# ffmpeg decodes audio for the fingerprint and analysis stages; tini reaps ffmpeg children and forwards signals.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build --chown=root:root /app /app
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    SWC_NODE_PROJECT=/app/tsconfig.json
# The image's files stay root-owned and read-only to the service; it runs as the unprivileged node user.
USER node
ENTRYPOINT ["/usr/bin/tini", "--", "node", "-r", "@swc-node/register"]
CMD ["apps/gateway/src/main.ts"]

# syntax=docker/dockerfile:1
# The frontend app in its own container, as a non-root user on production dependencies
# only: `node dist/apps/frontend/main.js`. Build from the repository root:
#   docker build -f docker/frontend.Dockerfile -t durable-frontend .
# The toolchain, prod-deps and build stages are the same in the three app Dockerfiles, so one
# builder shares their layers between the three images.

FROM node:20-bookworm-slim AS toolchain
# better-sqlite3 compiles from source when no prebuilt binary can be fetched. Build-only tools:
# pinning Debian package versions would break the build when the mirror moves on.
# hadolint ignore=DL3008
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /repo

# Production dependencies only, with native modules built for this base image.
FROM toolchain AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM toolchain AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=32 \
    HOST=0.0.0.0 \
    PORT=7071 \
    DURABLE_DATA_DIR=/data
WORKDIR /app
COPY package.json ./
COPY --from=prod-deps /repo/node_modules ./node_modules
COPY --from=build /repo/dist/apps/frontend ./dist/apps/frontend
# The dashboard's static files, served at /dashboard.
COPY --from=build /repo/dist/apps/dashboard ./dist/apps/dashboard
# The embedded default keeps its SQLite files here: mount a volume on /data to keep them.
# Unused in distributed mode.
RUN mkdir /data && chown node:node /data
USER node
EXPOSE 7071
# Healthy once ready (/health/ready: joined its group, connected its stores), which is what
# compose's depends_on waits for; the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:' + process.env.PORT + '/health/ready', (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]
CMD ["node", "dist/apps/frontend/main.js"]

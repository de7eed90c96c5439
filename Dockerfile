# syntax=docker/dockerfile:1
# Switchboard: multi-stage build. The build stages carry compilers (better-sqlite3 is a native
# module); the runtime stage carries only production dependencies and the compiled JavaScript.

FROM node:20-bookworm-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

# Production dependencies only, native modules compiled for this image's Node and libc.
FROM toolchain AS prod-deps
RUN npm ci --omit=dev --no-audit --no-fund

FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0 \
    CONFIG_PATH=/app/config/example.yaml \
    DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
# The embedded SQLite store lives in /data; the image's `node` user (uid 1000) owns it.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 4000
# Liveliness only: an orchestrator restarting the container would not fix a dependency that is down.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+(process.env.SERVER_ROOT_PATH||'')+'/health/liveliness').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The gateway handles SIGTERM itself (graceful drain), so it runs as PID 1 without a shell.
CMD ["node", "dist/main.js"]

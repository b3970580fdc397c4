# One image for every app; docker-compose.yml picks the app with the command.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# patch-package applies patches/ during install (kafkajs read_committed fix)
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# JSON logs even when a terminal is attached (docker run -t): containers feed log collectors.
ENV LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/config ./config
# The operator CLI on PATH: docker compose exec ingress hookline events tail leads.created
RUN printf '#!/bin/sh\nexec node /app/dist/tools/hookline/cli.js "$@"\n' > /usr/local/bin/hookline && chmod 755 /usr/local/bin/hookline
USER node
CMD ["node", "dist/apps/ingress/src/main.js"]

# One image for the worker and the API: `docker run IMAGE worker` or `... api`.

# Builder: the whole toolchain compiles src/, workflows/ and activities/ to dist/ and
# prebundles the workflows (npm run build); none of it reaches the image that runs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
RUN npm run build

# Runtime: production dependencies and the compiled code only, run as the unprivileged
# `node` user of the base image.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# PGlite's default data directory, for a run without DATABASE_URL; production sets it.
RUN mkdir .provisioner && chown node:node .provisioner
USER node
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]

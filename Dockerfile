# One image for the worker and the API: `docker run IMAGE worker` or `... api`.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
ENV NODE_ENV=production
ENTRYPOINT ["/app/node_modules/.bin/tsx", "/app/src/cli/main.ts"]

# One image for the worker and the API: `docker run IMAGE worker` or `... api`.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY bin ./bin
ENV NODE_ENV=production
ENTRYPOINT ["/app/bin/provisioner"]

# Accord's container image, built from this repository:
#
#   docker build -t accord .
#   docker run -p 8080:8080 -e ACCORD_DATABASE_URL=postgres://… -e ACCORD_BASE_URL=https://… accord
#
# The build stage compiles the front-end assets (GOV.UK Frontend through npm) and the release
# binary; the image that runs holds the binary alone, as an unprivileged user.
FROM rust:1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make assets && cargo build --release --locked -p accord

FROM debian:bookworm-slim
# pg_dump and pg_restore, for `accord backup` and `restore` on PostgreSQL.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/accord --create-home accord
COPY --from=build /src/target/release/accord /usr/local/bin/accord
USER accord
WORKDIR /var/lib/accord
# Listen on every interface inside the container; the metrics on their own port, for the
# monitoring network only. Secrets (the database URL's password) come from the environment.
ENV ACCORD_BIND=0.0.0.0:8080 \
    ACCORD_METRICS_BIND=0.0.0.0:9464 \
    ACCORD_DATABASE_URL=sqlite:/var/lib/accord/accord.db \
    ACCORD_LOG_FORMAT=json
EXPOSE 8080 9464
VOLUME /var/lib/accord
HEALTHCHECK --interval=30s --timeout=5s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["accord"]
CMD ["serve"]

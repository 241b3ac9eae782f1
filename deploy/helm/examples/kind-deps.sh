#!/usr/bin/env bash
# PostgreSQL (with pgvector), NATS with JetStream, Redis and Jaeger for a local kind or k3d
# cluster, in the current namespace, for deploy/helm/examples/kind.yaml. Not for production.
#  - PostgreSQL: the CloudNativePG operator (its upstream chart) and a one-instance Cluster on
#    CloudNativePG's standard image, which ships pgvector; `vector` is created at bootstrap.
#  - NATS: the NATS project's chart, JetStream on.
#  - Redis and Jaeger: their official images (neither project publishes a chart of its own).
set -euo pipefail
NAMESPACE="${NAMESPACE:-default}"

helm repo add cnpg https://cloudnative-pg.github.io/charts >/dev/null
helm repo add nats https://nats-io.github.io/k8s/helm/charts/ >/dev/null
helm repo update >/dev/null

helm upgrade --install cnpg cnpg/cloudnative-pg --namespace cnpg-system --create-namespace --wait
helm upgrade --install nats nats/nats --namespace "$NAMESPACE" --wait \
  --set config.jetstream.enabled=true \
  --set config.jetstream.fileStore.pvc.size=1Gi

kubectl -n "$NAMESPACE" apply -f - <<'YAML'
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: pg
spec:
  instances: 1
  imageName: ghcr.io/cloudnative-pg/postgresql:17-standard-bookworm
  storage:
    size: 2Gi
  bootstrap:
    initdb:
      database: app
      owner: app
      # The learning service's migration creates it too, but only a superuser may.
      postInitApplicationSQL:
        - CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
spec:
  selector: { matchLabels: { app: redis } }
  template:
    metadata: { labels: { app: redis } }
    spec:
      containers:
        - name: redis
          image: redis:7.4-alpine
          args: ["--save", "", "--appendonly", "no"]
          ports: [{ containerPort: 6379 }]
---
apiVersion: v1
kind: Service
metadata:
  name: redis
spec:
  selector: { app: redis }
  ports: [{ port: 6379 }]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: jaeger
spec:
  selector: { matchLabels: { app: jaeger } }
  template:
    metadata: { labels: { app: jaeger } }
    spec:
      containers:
        - name: jaeger
          image: jaegertracing/jaeger:2.21.0
          args: ["--set", "receivers.otlp.protocols.http.endpoint=0.0.0.0:4318"]
          ports: [{ containerPort: 4318 }, { containerPort: 16686 }]
---
apiVersion: v1
kind: Service
metadata:
  name: jaeger-collector
spec:
  selector: { app: jaeger }
  ports: [{ name: otlp-http, port: 4318 }]
---
apiVersion: v1
kind: Service
metadata:
  name: jaeger-query
spec:
  selector: { app: jaeger }
  ports: [{ name: ui, port: 16686 }]
YAML

kubectl -n "$NAMESPACE" wait --for=condition=Ready cluster/pg --timeout=300s
kubectl -n "$NAMESPACE" rollout status deployment/redis deployment/jaeger --timeout=180s
echo "PostgreSQL (pg-rw, Secret pg-app), NATS (nats:4222), Redis (redis:6379) and Jaeger (jaeger-collector:4318, jaeger-query:16686) are ready in $NAMESPACE"

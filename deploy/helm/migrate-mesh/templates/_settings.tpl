{{/*
The non-secret settings of one service (its ConfigMap), as a YAML map. The chart's own first, then
the service's `env`, which wins (e.g. to point a target elsewhere). Args: root, cfg.
*/}}
{{- define "migrate-mesh.settings" -}}
{{- $root := .root -}}
{{- $cfg := .cfg -}}
{{- $name := $cfg.name -}}
{{- $values := $root.Values -}}
{{- $s := dict -}}
{{- $_ := set $s "METRICS_PORT" ($cfg.metricsPort | int | toString) -}}
{{- /* Pods are reached through their Services; loopback is only the default off-cluster. */ -}}
{{- $_ := set $s "BIND_HOST" "0.0.0.0" -}}
{{- $_ := set $s "SHUTDOWN_TIMEOUT_MS" ($cfg.shutdownTimeoutMs | int | toString) -}}
{{- if eq $name "gateway" -}}
{{- $_ := set $s "HTTP_PORT" ($cfg.port | int | toString) -}}
{{- $_ := set $s "SHUTDOWN_DRAIN_MS" ($cfg.shutdownDrainMs | int | toString) -}}
{{- else -}}
{{- $_ := set $s "GRPC_PORT" ($cfg.port | int | toString) -}}
{{- $_ := set $s "GRPC_MAX_CONNECTION_AGE_MS" ($values.grpc.maxConnectionAgeMs | int | toString) -}}
{{- $_ := set $s "GRPC_MAX_CONNECTION_AGE_GRACE_MS" ($values.grpc.maxConnectionAgeGraceMs | int | toString) -}}
{{- /* With the hook Jobs the schema is migrated before the pods roll. */ -}}
{{- $_ := set $s "MIGRATE_ON_START" (ternary "false" "true" $values.migrations.enabled) -}}
{{- end -}}
{{- range $callee := splitList " " (include "migrate-mesh.callees" $name) | compact -}}
{{- $_ := set $s (printf "%s_GRPC_TARGET" (upper $callee)) (include "migrate-mesh.target" (dict "root" $root "service" $callee)) -}}
{{- end -}}
{{- if include "migrate-mesh.usesNats" $name -}}
{{- $_ := set $s "NATS_URL" $values.external.nats.url -}}
{{- end -}}
{{- if and $values.otel.enabled $values.otel.endpoint -}}
{{- $_ := set $s "OTEL_EXPORTER_OTLP_ENDPOINT" $values.otel.endpoint -}}
{{- $_ := set $s "OTEL_EXPORTER_OTLP_PROTOCOL" "http/protobuf" -}}
{{- $_ := set $s "OTEL_TRACES_SAMPLER" $values.otel.sampler -}}
{{- $_ := set $s "OTEL_TRACES_SAMPLER_ARG" (toString $values.otel.samplerArg) -}}
{{- $attributes := list (printf "k8s.namespace.name=%s" $root.Release.Namespace) -}}
{{- if $values.otel.resourceAttributes }}{{ $attributes = append $attributes $values.otel.resourceAttributes }}{{ end -}}
{{- $_ := set $s "OTEL_RESOURCE_ATTRIBUTES" (join "," $attributes) -}}
{{- end -}}
{{- range $key, $value := $cfg.env -}}
{{- /* Helm reads numbers as floats: 1000000 would print as 1e+06. */ -}}
{{- if and (kindIs "float64" $value) (eq (float64 (int64 $value)) $value) }}{{ $value = int64 $value }}{{ end -}}
{{- $_ := set $s $key (toString $value) -}}
{{- end -}}
{{- toYaml $s -}}
{{- end -}}

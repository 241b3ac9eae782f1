{{/*
Shared templates. Every object name is `<prefix>-<suffix>` with the prefix truncated so the whole
stays within 63 characters and the suffix (which tells objects apart) survives whole.
*/}}

{{/* The services, in the order they are rendered. */}}
{{- define "migrate-mesh.serviceNames" -}}
gateway flow agent learning telemetry
{{- end -}}

{{/* The prefix of every object: fullnameOverride, else the release name. */}}
{{- define "migrate-mesh.prefix" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* `<prefix>-<suffix>`, at most 63 characters, the suffix kept whole. Args: root, suffix. */}}
{{- define "migrate-mesh.nameWith" -}}
{{- $room := sub 62 (len .suffix) | int -}}
{{- printf "%s-%s" (include "migrate-mesh.prefix" .root | trunc $room | trimSuffix "-") .suffix -}}
{{- end -}}

{{/* A service's Deployment, Service, ConfigMap and ServiceAccount name. Args: root, service. */}}
{{- define "migrate-mesh.name" -}}
{{- include "migrate-mesh.nameWith" (dict "root" .root "suffix" .service) -}}
{{- end -}}

{{- define "migrate-mesh.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of the objects of one service (or of the mesh as a whole without `service`). */}}
{{- define "migrate-mesh.labels" -}}
helm.sh/chart: {{ include "migrate-mesh.chart" .root }}
{{- if .service }}
{{ include "migrate-mesh.selectorLabels" . }}
app.kubernetes.io/component: {{ .component | default .service }}
{{- else }}
app.kubernetes.io/name: {{ .root.Values.nameOverride | default .root.Chart.Name | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .root.Release.Name | trunc 63 | trimSuffix "-" }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}
app.kubernetes.io/part-of: migrate-mesh
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{/* Selector labels of one service's pods (unchanged since chart 0.1.0: selectors are immutable). */}}
{{- define "migrate-mesh.selectorLabels" -}}
app.kubernetes.io/name: {{ .service }}
app.kubernetes.io/instance: {{ .root.Release.Name | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/*
Merges map `src` into map `dst` in place: maps merge key by key, anything else replaces. (Sprig's
merge functions treat false, 0 and "" as unset, so `enabled: false` could not override `true`.)
*/}}
{{- define "migrate-mesh.merge" -}}
{{- $dst := .dst -}}
{{- range $key, $value := .src -}}
{{- if and (kindIs "map" $value) (kindIs "map" (get $dst $key)) -}}
{{- include "migrate-mesh.merge" (dict "dst" (get $dst $key) "src" $value) -}}
{{- else if kindIs "invalid" $value -}}
{{- $_ := unset $dst $key -}}
{{- else -}}
{{- $_ := set $dst $key (deepCopy $value) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* One service's settings: `defaults` overridden by `services.<name>`, written into `out`. Args: root, name, out. */}}
{{- define "migrate-mesh.config" -}}
{{- include "migrate-mesh.merge" (dict "dst" .out "src" (deepCopy .root.Values.defaults)) -}}
{{- include "migrate-mesh.merge" (dict "dst" .out "src" (index .root.Values.services .name)) -}}
{{- $_ := set .out "name" .name -}}
{{- end -}}

{{/* The image reference. Args: root. */}}
{{- define "migrate-mesh.image" -}}
{{- $image := .root.Values.image -}}
{{- $repository := $image.repository -}}
{{- if .root.Values.global.imageRegistry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" .root.Values.global.imageRegistry) $repository -}}
{{- end -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "migrate-mesh.imagePullSecrets" -}}
{{- range .Values.global.imagePullSecrets }}
- name: {{ . }}
{{- end }}
{{- end -}}

{{/* The gRPC target of a service: dns:/// over its headless Service, so grpc-js balances over every pod. Args: root, service. */}}
{{- define "migrate-mesh.target" -}}
{{- printf "dns:///%s:%d" (include "migrate-mesh.name" .) ((index .root.Values.services .service).port | int) -}}
{{- end -}}

{{/* Who calls whom over gRPC (docs/security.md): the NetworkPolicies and the targets follow it. */}}
{{- define "migrate-mesh.callees" -}}
{{- $graph := dict "gateway" (list "flow" "agent" "learning" "telemetry") "flow" (list "agent" "learning") "agent" (list "learning" "telemetry") "learning" (list) "telemetry" (list) -}}
{{- index $graph . | join " " -}}
{{- end -}}

{{- define "migrate-mesh.callers" -}}
{{- $service := . -}}
{{- $callers := list -}}
{{- range $caller := splitList " " (include "migrate-mesh.serviceNames" .) -}}
{{- if has $service (splitList " " (include "migrate-mesh.callees" $caller)) -}}
{{- $callers = append $callers $caller -}}
{{- end -}}
{{- end -}}
{{- join " " $callers -}}
{{- end -}}

{{/* Which external services a service talks to. */}}
{{- define "migrate-mesh.usesDatabase" -}}{{- if has . (list "flow" "agent" "learning" "telemetry") }}true{{ end -}}{{- end -}}
{{- define "migrate-mesh.usesNats" -}}{{- if has . (list "gateway" "flow" "agent" "telemetry") }}true{{ end -}}{{- end -}}
{{- define "migrate-mesh.usesRedis" -}}{{- if eq . "gateway" }}true{{ end -}}{{- end -}}

{{/* The Secret the chart creates (or the existing one) for the services' secret settings. */}}
{{- define "migrate-mesh.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- include "migrate-mesh.nameWith" (dict "root" . "suffix" "secrets") -}}
{{- end -}}
{{- end -}}

{{- define "migrate-mesh.meshSecretName" -}}
{{- if .Values.meshSecret.existingSecret -}}
{{- .Values.meshSecret.existingSecret -}}
{{- else -}}
{{- include "migrate-mesh.nameWith" (dict "root" . "suffix" "mesh") -}}
{{- end -}}
{{- end -}}

{{/*
A `secretEnv` entry as {secret, key, optional, managed}: a string is a key of the mesh's Secret,
an object may name another Secret. `managed`: the key lives in the Secret this chart creates.
Args: root, ref.
*/}}
{{- define "migrate-mesh.secretRef" -}}
{{- $ref := .ref -}}
{{- if kindIs "string" $ref -}}
{{- $ref = dict "key" $ref -}}
{{- end -}}
{{- $managed := and (not $ref.secret) (not .root.Values.secrets.existingSecret) -}}
{{- $secret := $ref.secret | default (include "migrate-mesh.secretName" .root) -}}
{{- toJson (dict "secret" $secret "key" $ref.key "optional" (default false $ref.optional) "managed" $managed) -}}
{{- end -}}

{{/* DATABASE_URL built from `external.postgresql` for a chart-created Secret. */}}
{{- define "migrate-mesh.databaseUrl" -}}
{{- $pg := .Values.external.postgresql -}}
{{- $auth := urlquery $pg.user -}}
{{- if $pg.password }}{{ $auth = printf "%s:%s" $auth (urlquery $pg.password) }}{{ end -}}
{{- $url := printf "postgres://%s@%s:%d/%s" $auth $pg.host ($pg.port | int) $pg.database -}}
{{- if $pg.sslmode }}{{ $url = printf "%s?sslmode=%s" $url $pg.sslmode }}{{ end -}}
{{- $url -}}
{{- end -}}

{{/* REDIS_URL built from `external.redis` for a chart-created Secret. */}}
{{- define "migrate-mesh.redisUrl" -}}
{{- $redis := .Values.external.redis -}}
{{- $auth := "" -}}
{{- if $redis.password }}{{ $auth = printf ":%s@" (urlquery $redis.password) }}{{ end -}}
{{- printf "%s://%s%s:%d/%d" (ternary "rediss" "redis" $redis.tls) $auth $redis.host ($redis.port | int) ($redis.db | int) -}}
{{- end -}}

{{/* The OTLP endpoint's port, for the egress rule (4318 when the URL names none). */}}
{{- define "migrate-mesh.otlpPort" -}}
{{- $url := urlParse .Values.otel.endpoint -}}
{{- $port := regexFind ":[0-9]+$" $url.host | trimPrefix ":" -}}
{{- if $port }}{{ $port }}{{ else if eq $url.scheme "https" }}443{{ else }}4318{{ end -}}
{{- end -}}

{{/* The port of a nats:// URL (4222 when it names none). */}}
{{- define "migrate-mesh.natsPort" -}}
{{- $first := splitList "," .Values.external.nats.url | first -}}
{{- $url := urlParse $first -}}
{{- $port := regexFind ":[0-9]+$" $url.host | trimPrefix ":" -}}
{{- default "4222" $port -}}
{{- end -}}

{{/* Pod-level security context and volumes shared by Deployments and migration Jobs. Args: cfg. */}}
{{- define "migrate-mesh.podSecurity" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .podSecurityContext | nindent 2 }}
{{- end -}}

{{- define "migrate-mesh.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .tmpSizeLimit }}
{{- end -}}

{{- define "migrate-mesh.probeTiming" -}}
{{- toYaml (pick . "initialDelaySeconds" "periodSeconds" "timeoutSeconds" "failureThreshold" "successThreshold") -}}
{{- end -}}

{{/* The data of the chart-created Secret (plain text, YAML): `secrets.values`, empty ones dropped, URLs built from `external`. */}}
{{- define "migrate-mesh.secretData" -}}
{{- $data := dict -}}
{{- range $key, $value := .Values.secrets.values -}}
{{- if $value }}{{ $_ := set $data $key (toString $value) }}{{ end -}}
{{- end -}}
{{- if not $data.DATABASE_URL }}{{ $_ := set $data "DATABASE_URL" (include "migrate-mesh.databaseUrl" .) }}{{ end -}}
{{- if not $data.REDIS_URL }}{{ $_ := set $data "REDIS_URL" (include "migrate-mesh.redisUrl" .) }}{{ end -}}
{{- toYaml $data -}}
{{- end -}}

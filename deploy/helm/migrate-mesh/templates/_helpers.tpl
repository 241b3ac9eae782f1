{{/* The name of a service's Deployment and Service: <release>-<service>. */}}
{{- define "migrate-mesh.name" -}}
{{- printf "%s-%s" .root.Release.Name .service | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels shared by every object of one service. */}}
{{- define "migrate-mesh.labels" -}}
app.kubernetes.io/name: {{ .service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: migrate-mesh
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{- end -}}

{{/* A gRPC target for grpc-js: dns:/// over the headless Service, so round robin sees every pod. */}}
{{- define "migrate-mesh.target" -}}
{{- printf "dns:///%s-%s:%v" .root.Release.Name .service (index .root.Values.services .service).port -}}
{{- end -}}

{{/* Name of the release's objects. */}}
{{- define "crateflow.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "crateflow.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: crateflow
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector of one component: call with (dict "root" $ "component" "gateway"). */}}
{{- define "crateflow.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "crateflow.secretName" -}}
{{- default (printf "%s-secrets" (include "crateflow.fullname" .)) .Values.existingSecret -}}
{{- end -}}

{{- define "crateflow.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "crateflow.natsUrl" -}}
{{- if .Values.bundled.nats.enabled -}}
{{- printf "nats://%s-nats:4222" (include "crateflow.fullname" .) -}}
{{- else -}}
{{- .Values.nats.url -}}
{{- end -}}
{{- end -}}

{{- define "crateflow.natsMonitoringEndpoint" -}}
{{- if .Values.bundled.nats.enabled -}}
{{- printf "%s-nats.%s.svc:8222" (include "crateflow.fullname" .) .Release.Namespace -}}
{{- else -}}
{{- .Values.keda.natsMonitoringEndpoint -}}
{{- end -}}
{{- end -}}

{{- define "crateflow.databaseUrl" -}}
{{- if .Values.bundled.postgresql.enabled -}}
{{- printf "postgres://crateflow:%s@%s-postgresql:5432/crateflow" (required "bundled.postgresql.password is required when bundled.postgresql.enabled (or give existingSecret)" .Values.bundled.postgresql.password | urlquery | replace "+" "%20") (include "crateflow.fullname" .) -}}
{{- else -}}
{{- required "database.url (or existingSecret) is required" .Values.database.url -}}
{{- end -}}
{{- end -}}

{{/* The pod spec's volumes for the library (and output), read-only unless $writable. */}}
{{- define "crateflow.libraryVolume" -}}
{{- $v := .values -}}
- name: {{ .name }}
  {{- if $v.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ $v.existingClaim }}
    readOnly: {{ not .writable }}
  {{- else if $v.hostPath }}
  hostPath:
    path: {{ $v.hostPath }}
    type: Directory
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- end -}}

{{/* Rejects values that would break the one-executor rule, whatever the schema says. */}}
{{- define "crateflow.checkExecutor" -}}
{{- $executor := .Values.services.executor -}}
{{- if ne (int $executor.replicas) 1 -}}
{{- fail "services.executor.replicas must be 1: two executors must never move files at once" -}}
{{- end -}}
{{- if and $executor.autoscaling (ne (default "none" $executor.autoscaling.mode) "none") -}}
{{- fail "services.executor.autoscaling.mode must be none: the executor is never scaled" -}}
{{- end -}}
{{- end -}}

{{/* The chart name, or nameOverride. */}}
{{- define "pms-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Object name prefix: the release name when it already contains the chart name. */}}
{{- define "pms-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Labels of every object: the ones config/ sets (name, part-of), Helm's standard ones, and
commonLabels. tools/packaging/test/chart.test.ts strips exactly the Helm ones before comparing
with the kustomize install.
*/}}
{{- define "pms-operator.labels" -}}
app.kubernetes.io/name: {{ include "pms-operator.name" . }}
app.kubernetes.io/part-of: pms
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of the operator's own workload objects (Deployment, Services, PDB, monitoring). */}}
{{- define "pms-operator.componentLabels" -}}
{{ include "pms-operator.labels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{/* The pod selector: the same as config/manager's, so a kustomize install can move to Helm. */}}
{{- define "pms-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pms-operator.name" . }}
app.kubernetes.io/component: operator
{{- end }}

{{/* The operator image: repository with the digest, or the tag (default appVersion). */}}
{{- define "pms-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Labels of the Prometheus Operator objects: the release label kube-prometheus-stack selects. */}}
{{- define "pms-operator.monitoringLabels" -}}
{{ include "pms-operator.componentLabels" . }}
{{- with .Values.monitoring.release }}
release: {{ . }}
{{- end }}
{{- with .Values.monitoring.labels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "slipstream.name" -}}
{{- printf "%s-operator" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "slipstream.serviceAccountName" -}}
{{- default (include "slipstream.name" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "slipstream.labels" -}}
app.kubernetes.io/name: slipstream-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "slipstream.selectorLabels" -}}
app.kubernetes.io/name: slipstream-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "slipstream.operatorImage" -}}
{{- printf "%s:%s" .Values.operator.image.repository (default .Chart.AppVersion .Values.operator.image.tag) -}}
{{- end -}}

{{- define "slipstream.runtimeImage" -}}
{{- printf "%s:%s" .Values.runtime.image.repository (default .Chart.AppVersion .Values.runtime.image.tag) -}}
{{- end -}}

{{/*
What the operator puts on every runtime pod of every tenant (RuntimeLabels in the operator):
the pods the PodMonitor and the NetworkPolicy select. The tenant's name is app.kubernetes.io/instance.
*/}}
{{- define "slipstream.runtimePodLabels" -}}
app.kubernetes.io/name: slipstream-runtime
app.kubernetes.io/managed-by: slipstream-operator
{{- end -}}

{{/* The runtime's ports (RuntimeModel in the operator): clients and /metrics, and the relay between pods. */}}
{{- define "slipstream.runtimeHttpPort" -}}4000{{- end -}}
{{- define "slipstream.runtimeRelayPort" -}}4001{{- end -}}

{{/* The namespaces of the runtime pods the NetworkPolicy isolates, as a list; fails naming the values when none are known. */}}
{{- define "slipstream.networkPolicyNamespaces" -}}
{{- $namespaces := .Values.networkPolicy.namespaces | default .Values.operator.watchNamespaces -}}
{{- if not $namespaces -}}
{{- fail "networkPolicy.enabled needs the namespaces of the runtime pods: set networkPolicy.namespaces or operator.watchNamespaces" -}}
{{- end -}}
{{- toJson $namespaces -}}
{{- end -}}

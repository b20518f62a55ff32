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

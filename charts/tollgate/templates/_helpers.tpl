{{/*
Names. fullname: fullnameOverride, else the release name when it contains "tollgate", else
<release>-tollgate; truncated to 63 characters (DNS label) minus room for the longest suffix.
*/}}
{{- define "tollgate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains "tollgate" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-tollgate" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tollgate.operator.fullname" -}}{{ include "tollgate.fullname" . }}-operator{{- end -}}
{{- define "tollgate.gateway.fullname" -}}{{ include "tollgate.fullname" . }}-gateway{{- end -}}
{{- define "tollgate.redis.fullname" -}}{{ include "tollgate.fullname" . }}-redis{{- end -}}

{{- define "tollgate.operator.serviceAccountName" -}}
{{- default (include "tollgate.operator.fullname" .) .Values.operator.serviceAccount.name -}}
{{- end -}}
{{- define "tollgate.gateway.serviceAccountName" -}}
{{- default (include "tollgate.gateway.fullname" .) .Values.gateway.serviceAccount.name -}}
{{- end -}}

{{/* Labels on every object. app.kubernetes.io/name is always "tollgate" (the operator selects on it). */}}
{{- define "tollgate.labels" -}}
app.kubernetes.io/name: tollgate
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: tollgate
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | quote }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component: include "tollgate.selectorLabels" (list . "gateway") */}}
{{- define "tollgate.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: tollgate
app.kubernetes.io/instance: {{ $root.Release.Name | quote }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "tollgate.componentLabels" -}}
{{ include "tollgate.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/*
An image reference: repository@digest when a digest is set (the digest wins), else repository:tag.
include "tollgate.image" (dict "image" .Values.redis.image "root" . "what" "redis.image")
*/}}
{{- define "tollgate.image" -}}
{{- $img := .image -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $img.repository $img.digest -}}
{{- else -}}
{{- if .root.Values.requireImageDigests -}}
{{- fail (printf "%s.digest is empty and requireImageDigests is true: pin %s by digest (sha256:...)" .what $img.repository) -}}
{{- end -}}
{{- printf "%s:%s" $img.repository (default .root.Chart.AppVersion $img.tag | toString) -}}
{{- end -}}
{{- end -}}

{{- define "tollgate.gateway.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "tollgate.gateway.fullname" .)) .Values.gateway.tls.secretName -}}
{{- end -}}

{{/* The URL tenants use (also published in LLMTenant status). */}}
{{- define "tollgate.gateway.url" -}}
{{- if .Values.operator.gatewayUrl -}}
{{- .Values.operator.gatewayUrl -}}
{{- else -}}
{{- printf "%s://%s.%s.svc:%d/v1" (ternary "https" "http" .Values.gateway.tls.enabled) (include "tollgate.gateway.fullname" .) .Release.Namespace (int .Values.gateway.service.port) -}}
{{- end -}}
{{- end -}}

{{/* The Redis password Secret and key the gateway and the bundled Redis read. */}}
{{- define "tollgate.redis.secretName" -}}
{{- default (printf "%s-auth" (include "tollgate.redis.fullname" .)) .Values.redis.auth.existingSecret -}}
{{- end -}}

{{/* Egress to the API server (operator, gateway). */}}
{{- define "tollgate.apiServerEgress" -}}
- {{- with .Values.networkPolicy.apiServer.cidrs }}
  to:
    {{- range . }}
    - ipBlock: { cidr: {{ . | quote }} }
    {{- end }}
  {{- end }}
  ports:
    {{- range .Values.networkPolicy.apiServer.ports }}
    - { protocol: TCP, port: {{ . }} }
    {{- end }}
{{- end -}}

{{- define "tollgate.dnsEgress" -}}
- to:
    - namespaceSelector: {{- toYaml .Values.networkPolicy.dns.namespaceSelector | nindent 8 }}
      podSelector: {{- toYaml .Values.networkPolicy.dns.podSelector | nindent 8 }}
  ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
{{- end -}}

{{- define "tollgate.metricsPeer" -}}
- namespaceSelector: {{- toYaml .Values.networkPolicy.metrics.namespaceSelector | nindent 4 }}
  podSelector: {{- toYaml .Values.networkPolicy.metrics.podSelector | nindent 4 }}
{{- end -}}

{{/* The release's name, cut to fit the 63 characters of a label (a suffix is added). */}}
{{- define "durable.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "durable.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/part-of: durable
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Labels of one component's objects: dict "root" $ "component" "frontend" */}}
{{- define "durable.componentLabels" -}}
{{ include "durable.labels" .root }}
app.kubernetes.io/name: {{ .component }}
{{- end -}}

{{/* Selector labels of one component: dict "root" $ "component" "frontend" */}}
{{- define "durable.selectorLabels" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "durable.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "durable.fullname" .)) -}}
{{- end -}}

{{- define "durable.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "durable.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{- define "durable.activityPartitions" -}}
{{- if gt (int .Values.activityPartitionCount) 0 -}}{{ int .Values.activityPartitionCount }}{{- else -}}{{ int .Values.partitionCount }}{{- end -}}
{{- end -}}

{{- define "durable.frontendService" -}}
{{- printf "%s-frontend" (include "durable.fullname" .) -}}
{{- end -}}

{{/* Settings every app must share; refuses a release that would not start. */}}
{{- define "durable.validate" -}}
{{- if not .Values.kafka.brokers -}}{{- fail "kafka.brokers is required (host:port[,host:port])" -}}{{- end -}}
{{- if not .Values.cosmos.endpoint -}}{{- fail "cosmos.endpoint is required" -}}{{- end -}}
{{- if and (not .Values.secrets.existingSecret) (not .Values.cosmos.key) -}}{{- fail "cosmos.key (or secrets.existingSecret) is required" -}}{{- end -}}
{{- if and .Values.kafka.sasl.mechanism (not (has .Values.kafka.sasl.mechanism (list "plain" "scram-sha-256" "scram-sha-512"))) -}}{{- fail "kafka.sasl.mechanism must be plain, scram-sha-256 or scram-sha-512" -}}{{- end -}}
{{- if and .Values.kafka.sasl.mechanism (not .Values.secrets.existingSecret) (not .Values.kafka.sasl.username) -}}{{- fail "kafka.sasl.username is required with kafka.sasl.mechanism" -}}{{- end -}}
{{- range $hub := prepend (.Values.taskHubs | default list) .Values.taskHub -}}
{{- if not (regexMatch "^[A-Za-z][A-Za-z0-9-]{0,40}$" (toString $hub)) -}}{{- fail (printf "task hub names are letters, digits and dashes (up to 41), starting with a letter: '%v' is not" $hub) -}}{{- end -}}
{{- end -}}
{{- if not (or .Values.auth.apiKeys .Values.auth.oidc.issuer .Values.secrets.existingSecret) -}}{{- fail "authentication is required: set auth.apiKeys (role:key entries) or auth.oidc.issuer and auth.oidc.audience, or secrets.existingSecret with durableApiKeys" -}}{{- end -}}
{{- if and .Values.auth.oidc.issuer (not .Values.auth.oidc.audience) -}}{{- fail "auth.oidc.audience is required with auth.oidc.issuer" -}}{{- end -}}
{{- if and .Values.auth.oidc.clientId (not .Values.auth.oidc.issuer) -}}{{- fail "auth.oidc.issuer and auth.oidc.audience are required with auth.oidc.clientId" -}}{{- end -}}
{{- if and .Values.frontend.grpc.enabled (not .Values.auth.workerToken) (not .Values.secrets.existingSecret) -}}{{- fail "auth.workerToken is required with frontend.grpc.enabled: the workers sign in to the frontend's gRPC port with it" -}}{{- end -}}
{{- if or (lt (int .Values.partitionCount) 1) (gt (int .Values.partitionCount) 1024) -}}{{- fail "partitionCount must be from 1 to 1024" -}}{{- end -}}
{{- if .Values.keda.enabled -}}
{{- if lt (int .Values.keda.orchestrationWorker.minReplicas) 1 -}}{{- fail "keda.orchestrationWorker.minReplicas must be at least 1: orchestration workers fire the durable timers" -}}{{- end -}}
{{- if gt (int .Values.keda.orchestrationWorker.maxReplicas) (int .Values.partitionCount) -}}{{- fail "keda.orchestrationWorker.maxReplicas cannot exceed partitionCount: a worker beyond it owns no partition" -}}{{- end -}}
{{- if gt (int .Values.keda.activityWorker.maxReplicas) (int (include "durable.activityPartitions" .)) -}}{{- fail "keda.activityWorker.maxReplicas cannot exceed the activity partition count" -}}{{- end -}}
{{- end -}}
{{- end -}}

{{/* The pod spec shared by the three apps: dict "root" $ "component" "frontend" "values" .Values.frontend "port" 7071 */}}
{{- define "durable.podSpec" -}}
{{- $root := .root -}}
{{- $v := .values -}}
serviceAccountName: {{ include "durable.serviceAccountName" $root }}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
terminationGracePeriodSeconds: {{ int $v.terminationGracePeriodSeconds }}
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
containers:
  - name: {{ .component }}
    image: {{ printf "%s%s%s:%s" (ternary (printf "%s/" $root.Values.image.registry) "" (ne $root.Values.image.registry "")) $root.Values.image.prefix .component ($root.Values.image.tag | default $root.Chart.AppVersion) | quote }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    ports:
      - name: http
        containerPort: {{ int .port }}
        protocol: TCP
      {{- if and (eq .component "frontend") $root.Values.frontend.grpc.enabled }}
      - name: grpc
        containerPort: {{ int $root.Values.frontend.grpc.port }}
        protocol: TCP
      {{- end }}
    envFrom:
      - configMapRef:
          name: {{ include "durable.fullname" $root }}-config
    env:
      - name: PORT
        value: {{ .port | quote }}
      - name: COSMOS_KEY
        valueFrom:
          secretKeyRef:
            name: {{ include "durable.secretName" $root }}
            key: cosmosKey
      {{- if or $root.Values.auth.apiKeys $root.Values.auth.workerToken $root.Values.secrets.existingSecret }}
      - name: DURABLE_API_KEYS
        valueFrom:
          secretKeyRef:
            name: {{ include "durable.secretName" $root }}
            key: durableApiKeys
            # An existing Secret may leave the keys out when OIDC alone signs callers in.
            optional: {{ and (not $root.Values.auth.apiKeys) (not $root.Values.auth.workerToken) }}
      {{- end }}
      {{- if $root.Values.kafka.sasl.mechanism }}
      - name: KAFKA_SASL_USERNAME
        valueFrom:
          secretKeyRef:
            name: {{ include "durable.secretName" $root }}
            key: kafkaSaslUsername
      - name: KAFKA_SASL_PASSWORD
        valueFrom:
          secretKeyRef:
            name: {{ include "durable.secretName" $root }}
            key: kafkaSaslPassword
      {{- end }}
      {{- if eq .component "frontend" }}
      - name: GRPC_PORT
        value: {{ ternary (toString (int $root.Values.frontend.grpc.port)) "off" $root.Values.frontend.grpc.enabled | quote }}
      {{- if $root.Values.kafkaTriggers }}
      - name: KAFKA_TRIGGERS
        value: {{ $root.Values.kafkaTriggers | quote }}
      {{- end }}
      {{- else if $root.Values.frontend.grpc.enabled }}
      # Names not registered in process run on the SDK workers connected to the frontend.
      - name: DURABLE_GRPC_FRONTEND
        value: {{ printf "%s:%d" (include "durable.frontendService" $root) (int $root.Values.frontend.grpc.port) | quote }}
      {{- if or $root.Values.auth.workerToken $root.Values.secrets.existingSecret }}
      - name: DURABLE_GRPC_TOKEN
        valueFrom:
          secretKeyRef:
            name: {{ include "durable.secretName" $root }}
            key: durableGrpcToken
            optional: {{ not $root.Values.auth.workerToken }}
      {{- end }}
      {{- end }}
      {{- if eq .component "activity-worker" }}
      - name: ACTIVITY_CONCURRENCY
        value: {{ $v.concurrency | quote }}
      {{- end }}
    # /health answers once the app listens; /health/ready once it joined its group and reached its
    # stores, and 503 again from SIGTERM on, so a stopping pod gets no new work.
    startupProbe:
      httpGet: { path: /health, port: http }
      periodSeconds: 2
      failureThreshold: 60
    livenessProbe:
      httpGet: { path: /health, port: http }
      periodSeconds: 10
      timeoutSeconds: 3
      failureThreshold: 3
    readinessProbe:
      httpGet: { path: /health/ready, port: http }
      periodSeconds: 5
      timeoutSeconds: 3
      failureThreshold: 2
    {{- if and (eq .component "frontend") (gt (int $v.preStopSleepSeconds) 0) }}
    lifecycle:
      preStop:
        exec:
          command: ["sleep", {{ $v.preStopSleepSeconds | quote }}]
    {{- end }}
    resources:
      {{- toYaml $v.resources | nindent 6 }}
    securityContext:
      {{- toYaml $root.Values.securityContext | nindent 6 }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
volumes:
  # The root filesystem is read-only; Node and its libraries may still want a scratch /tmp.
  - name: tmp
    emptyDir: {}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

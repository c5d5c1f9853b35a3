/**
 * `docker-compose.yml`: Prometheus, Alertmanager, Grafana and node_exporter, with pinned images. Ports are bound
 * to 127.0.0.1 (none of them authenticates by default but Grafana). No password is written: Grafana's admin
 * password is a required variable and Alertmanager's secrets are files under ./secrets (ignored by git).
 */
import { alertmanagerSecrets } from './alertmanager.js';
import { GENERATED_NOTICE, yamlFile } from './format.js';
import { DASHBOARDS_PATH } from './grafana/provisioning.js';
import type { StackOptions } from './options.js';

export const IMAGES = {
  prometheus: 'prom/prometheus:v2.55.1',
  alertmanager: 'prom/alertmanager:v0.28.1',
  grafana: 'grafana/grafana:11.4.0',
  nodeExporter: 'prom/node-exporter:v1.9.0',
} as const;

/** Lets containers reach services on the Docker host (the app, its worker, the monitor) on Linux too. */
const HOST_GATEWAY = ['host.docker.internal:host-gateway'];

export const SECRETS_DIR = 'secrets';

export function composeFile(options: StackOptions): string {
  const secretNames = alertmanagerSecrets(options).map((secret) => secret.name);
  const config = {
    name: `vigil-${options.name}`,
    services: {
      prometheus: {
        image: IMAGES.prometheus,
        command: [
          '--config.file=/etc/prometheus/prometheus.yml',
          '--storage.tsdb.path=/prometheus',
          '--storage.tsdb.retention.time=30d',
          '--web.enable-lifecycle',
        ],
        ports: ['127.0.0.1:9090:9090'],
        volumes: [
          './prometheus.yml:/etc/prometheus/prometheus.yml:ro',
          './alert_rules.yml:/etc/prometheus/alert_rules.yml:ro',
          'prometheus-data:/prometheus',
        ],
        extra_hosts: HOST_GATEWAY,
        restart: 'unless-stopped',
      },
      alertmanager: {
        image: IMAGES.alertmanager,
        command: ['--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager'],
        ports: ['127.0.0.1:9093:9093'],
        volumes: ['./alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro', 'alertmanager-data:/alertmanager'],
        secrets: secretNames,
        extra_hosts: HOST_GATEWAY,
        restart: 'unless-stopped',
      },
      grafana: {
        image: IMAGES.grafana,
        ports: ['127.0.0.1:3000:3000'],
        environment: {
          GF_SECURITY_ADMIN_USER: 'admin',
          GF_SECURITY_ADMIN_PASSWORD: '${GRAFANA_ADMIN_PASSWORD:?set GRAFANA_ADMIN_PASSWORD in .env or the environment (see README.md)}',
          GF_USERS_ALLOW_SIGN_UP: 'false',
          GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: `${DASHBOARDS_PATH}/vigil-application.json`,
        },
        volumes: [
          './grafana/provisioning:/etc/grafana/provisioning:ro',
          `./grafana/dashboards:${DASHBOARDS_PATH}:ro`,
          'grafana-data:/var/lib/grafana',
        ],
        depends_on: ['prometheus'],
        restart: 'unless-stopped',
      },
      'node-exporter': {
        image: IMAGES.nodeExporter,
        command: ['--path.rootfs=/host'],
        pid: 'host',
        volumes: ['/:/host:ro,rslave'],
        restart: 'unless-stopped',
      },
    },
    volumes: { 'prometheus-data': {}, 'alertmanager-data': {}, 'grafana-data': {} },
    secrets: Object.fromEntries(secretNames.map((name) => [name, { file: `./${SECRETS_DIR}/${name}` }])),
  };
  return yamlFile(config, [
    GENERATED_NOTICE,
    'Start it with: GRAFANA_ADMIN_PASSWORD=… docker compose up -d   (after creating the files in ./secrets: see README.md)',
  ]);
}

export function gitignoreFile(): string {
  return `# Secrets never go into git: Alertmanager's files and the Grafana password.\n/${SECRETS_DIR}/\n.env\n`;
}

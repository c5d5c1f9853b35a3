/** Grafana provisioning: the Prometheus datasource (fixed uid, which the dashboards name) and the dashboard folder. */
import { yamlFile } from '../format.js';
import { DATASOURCE } from './model.js';

/** Where docker-compose.yml mounts grafana/dashboards. */
export const DASHBOARDS_PATH = '/var/lib/grafana/dashboards';

export function datasourcesFile(): string {
  return yamlFile({
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        type: DATASOURCE.type,
        uid: DATASOURCE.uid,
        access: 'proxy',
        url: 'http://prometheus:9090',
        isDefault: true,
        editable: false,
        jsonData: { timeInterval: '30s' },
      },
    ],
  });
}

export function dashboardProvidersFile(): string {
  return yamlFile({
    apiVersion: 1,
    providers: [
      {
        name: 'vigil',
        folder: 'Vigil',
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: DASHBOARDS_PATH, foldersFromFilesStructure: false },
      },
    ],
  });
}

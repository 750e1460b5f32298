import * as os from 'node:os';
import type { Attributes } from '../shared/model.js';
import { SDK_VERSION } from '../shared/version.js';

export interface ServiceIdentity {
  serviceName: string;
  serviceVersion: string;
  environment: string;
}

/**
 * The resource every record of this process carries (OTel semantic conventions). Built once; frozen.
 * `extra` (logger.resource_attributes, OTEL_RESOURCE_ATTRIBUTES) may override host.name and process.pid
 * (a container knows better) but not the service identity or telemetry.sdk.*, which have keys of their own.
 */
export function buildResource(id: ServiceIdentity, extra: Attributes = {}): Attributes {
  return Object.freeze({
    'host.name': os.hostname(),
    'process.pid': process.pid,
    ...extra,
    'service.name': id.serviceName,
    'service.version': id.serviceVersion,
    'deployment.environment.name': id.environment,
    'telemetry.sdk.name': 'isotel',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': SDK_VERSION,
  });
}

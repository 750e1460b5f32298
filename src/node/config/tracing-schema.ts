import { z } from 'zod';
import { strict } from './strict.js';

/**
 * `logger.tracing`: how isotel joins the OpenTelemetry ecosystem in a Node process (global registration,
 * sampling, propagation, the official instrumentations it enables). OTEL_* variables override these keys
 * (see the precedence table in the README, "Tracing a Node service").
 */
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

export const PROPAGATORS = ['tracecontext', 'baggage', 'none'] as const;
export type PropagatorName = (typeof PROPAGATORS)[number];

export const INSTRUMENTATIONS = ['http', 'undici', 'pg', 'ioredis', 'express', 'fastify'] as const;
export type InstrumentationName = (typeof INSTRUMENTATIONS)[number];

/** An origin (`https://api.example.com:8443`), a host pattern (`*.internal`, `orders`), or `*` (every destination). */
const destination = z
  .string()
  .min(1)
  .refine((s) => s === '*' || /^https?:\/\/[^/\s?#]+$/.test(s) || /^(?:\*\.)?[A-Za-z0-9.-]+(?::\d+)?$|^\[[0-9A-Fa-f:.]+\](?::\d+)?$/.test(s), {
    error: 'expected an origin (https://api.example.com), a host or *.domain pattern (optionally :port), or *',
  });

export const TracingSchema = strict({
  register_global: z
    .boolean()
    .default(true)
    .describe(
      "Register isotel's tracer and logger providers, the propagator and an AsyncLocalStorage context manager as the OpenTelemetry API's globals, so libraries that speak @opentelemetry/api record into isotel. false: the app brings its own SDK and isotel records alongside it.",
    ),
  sampler: z.enum(SAMPLERS).default('parentbased_always_on').describe('Which spans are recorded and sampled (OTEL_TRACES_SAMPLER).'),
  sampler_arg: z.number().min(0).max(1).default(1).describe('The ratio for traceidratio samplers (OTEL_TRACES_SAMPLER_ARG).'),
  propagators: z
    .array(z.enum(PROPAGATORS))
    .default(['tracecontext', 'baggage'])
    .describe('Context formats read from and written to carriers (OTEL_PROPAGATORS).'),
  instrumentations: z
    .array(z.enum(INSTRUMENTATIONS))
    .default([...INSTRUMENTATIONS])
    .describe('Official OpenTelemetry instrumentations to enable (each only records when its library is used).'),
  propagate_to: z
    .array(destination)
    .default(['localhost', '127.0.0.1', '[::1]'])
    .describe(
      'Destinations whose outgoing requests carry traceparent/tracestate/baggage (client spans are recorded for every destination). Default: this machine only; add your services, or * for every destination.',
    ),
  ignore_incoming_paths: z
    .array(z.string().regex(/^\/\S*$/, 'expected a URL path starting with / (a trailing * matches any rest)'))
    .default(['/v1/logs', '/v1/traces', '/v1/metrics'])
    .describe(
      'Incoming request paths that get no server span (exact, or a prefix ending in *). Default: the OTLP ingest routes, so an isotel ingest hosted in the app does not trace its own intake.',
    ),
});

export type TracingConfig = z.output<typeof TracingSchema>;

import { ConfigError, loadConfig } from '../../../src/config';
import { tracesExporterOf } from '../../../src/telemetry/tracing';

const exporterFor = (env: Record<string, string>) => tracesExporterOf(loadConfig(env));

describe('which traces exporter the OTEL_* variables ask for', () => {
  it('when nothing is set, then tracing is off', () => {
    expect(exporterFor({})).toBeUndefined();
    expect(exporterFor({ OTEL_SERVICE_NAME: 'provisioner-api' })).toBeUndefined();
  });

  it('when an OTLP endpoint is set, then spans go over OTLP', () => {
    expect(exporterFor({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('otlp');
    expect(
      exporterFor({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }),
    ).toBe('otlp');
  });

  it('when OTEL_TRACES_EXPORTER names one, then that one, and none or OTEL_SDK_DISABLED turn it off', () => {
    expect(exporterFor({ OTEL_TRACES_EXPORTER: 'console' })).toBe('console');
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(exporterFor({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(exporterFor({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
  });

  it.each([
    ['OTEL_TRACES_EXPORTER', 'jaeger'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'the collector'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
    ['WORKER_METRICS_PORT', '70000'],
  ])('when %s is %s, then start-up stops naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });
});

/**
 * Backend configurations of one test run's own tables and indices (named after `tag`), on the shared
 * PostgreSQL and Elasticsearch the integration tests run against, so that runs never read each other's data.
 */
export function storeConfigs(tag: string) {
  return {
    postgres: { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', table_name: `${tag}_logs`, spans_table_name: `${tag}_spans`, metrics_table_name: `${tag}_metrics` },
    elasticsearch: {
      hosts: ['http://127.0.0.1:9200'],
      index_pattern: `${tag}-logs-%Y.%m.%d`,
      span_index_pattern: `${tag}-traces-%Y.%m.%d`,
      metric_data_stream: `${tag}-metrics`,
      template_name: tag,
      refresh: true,
    },
  };
}

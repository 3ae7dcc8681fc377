/** A custom resource's schema defaults: missing properties filled, nested ones too, what is set kept. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { withSchemaDefaults } from '../../lab-server/sandbox/admission/schema-defaults.ts';

const schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      default: { gates: {} },
      properties: {
        gates: { type: 'object', properties: { fast: { type: 'boolean', default: false }, slow: { type: 'boolean', default: true } } },
        ports: { type: 'array', items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' } } } },
        labels: { type: 'object', additionalProperties: { type: 'object', properties: { weight: { type: 'integer', default: 1 } } } },
      },
    },
  },
};

it('fills a missing object from its default and goes on into it', () => {
  assert.deepEqual(withSchemaDefaults(schema, {}), { spec: { gates: { fast: false, slow: true } } });
});

it('keeps what is set, and defaults inside arrays and maps', () => {
  const value = { spec: { gates: { fast: true }, ports: [{ protocol: 'UDP' }, {}], labels: { a: {}, b: { weight: 5 } } } };
  assert.deepEqual(withSchemaDefaults(schema, value), { spec: { gates: { fast: true, slow: true }, ports: [{ protocol: 'UDP' }, { protocol: 'TCP' }], labels: { a: { weight: 1 }, b: { weight: 5 } } } });
});

it('copies a default, so that one object never shares it with another', () => {
  const first = withSchemaDefaults(schema, {}) as { spec: { gates: Record<string, boolean> } };
  first.spec.gates.fast = true;
  assert.deepEqual(withSchemaDefaults(schema, {}), { spec: { gates: { fast: false, slow: true } } });
});
